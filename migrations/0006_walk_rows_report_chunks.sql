CREATE TABLE `origins` (
	`id` integer PRIMARY KEY NOT NULL,
	`json` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `origins_json` ON `origins` (`json`);--> statement-breakpoint
CREATE TABLE `report_chunks` (
	`report_id` text NOT NULL,
	`seq` integer NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`report_id`, `seq`),
	FOREIGN KEY (`report_id`) REFERENCES `reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
DROP INDEX `declarations_pn`;--> statement-breakpoint
ALTER TABLE `declarations` ADD `origin_id` integer REFERENCES origins(id);--> statement-breakpoint
ALTER TABLE `declarations` ADD `walk` blob;--> statement-breakpoint
ALTER TABLE `declarations` ADD `has_successor` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `declarations_pn_walk` ON `declarations` (`pn_norm`,`has_successor`,`walk`);--> statement-breakpoint
CREATE INDEX `declarations_walk_missing` ON `declarations` (`sha256`) WHERE walk IS NULL;--> statement-breakpoint
ALTER TABLE `declarations` DROP COLUMN `origin_json`;--> statement-breakpoint
-- declarations stored before: successors already held are flagged here; origin_id and walk
-- are filled from each payload at start-up (fillWalkColumns), where JSON is read as signed
UPDATE `declarations` SET `has_successor` = 1 WHERE EXISTS (SELECT 1 FROM `declarations` `s` WHERE `s`.`supplier_id` = `declarations`.`supplier_id` AND `s`.`supersedes` = `declarations`.`decl_id`);--> statement-breakpoint
-- reports stored before keep their body whole, as one piece
INSERT INTO `report_chunks` (`report_id`, `seq`, `data`) SELECT `id`, 0, CAST(`body` AS BLOB) FROM `reports`;--> statement-breakpoint
ALTER TABLE `reports` DROP COLUMN `body`;