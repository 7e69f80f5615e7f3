DROP INDEX `bom_parts_pn`;--> statement-breakpoint
CREATE INDEX `bom_parts_lookup` ON `bom_parts` (`pn_norm`,`mfr_norm`,`bom_id`,`item_id`);--> statement-breakpoint
DROP INDEX `report_parts_pn`;--> statement-breakpoint
CREATE INDEX `report_parts_lookup` ON `report_parts` (`pn_norm`,`mfr_norm`,`report_id`,`key`);--> statement-breakpoint
ALTER TABLE `declarations` ADD `origin_json` text;--> statement-breakpoint
UPDATE `declarations` SET `origin_json` = `payload` -> '$.origin';
