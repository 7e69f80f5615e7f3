-- bom_parts held each item's whole root path as JSON, which grows with the square of a
-- BOM's depth. It now holds the parent link and the item's own names; paths are rebuilt
-- from the links. The table is derived from boms.bom, so it is recreated empty here and
-- refilled at start-up (rebuildBomParts).
DROP TABLE `bom_parts`;--> statement-breakpoint
CREATE TABLE `bom_parts` (
	`bom_id` text NOT NULL,
	`item_id` text NOT NULL,
	`parent_item_id` text,
	`mfr_norm` text NOT NULL,
	`pn_norm` text NOT NULL,
	`manufacturer` text NOT NULL,
	`part_number` text NOT NULL,
	`name` text,
	PRIMARY KEY(`bom_id`, `item_id`),
	FOREIGN KEY (`bom_id`) REFERENCES `boms`(`id`) ON UPDATE no action ON DELETE no action
);--> statement-breakpoint
CREATE INDEX `bom_parts_pn` ON `bom_parts` (`pn_norm`);
