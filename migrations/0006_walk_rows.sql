CREATE TABLE `origins` (
	`id` integer PRIMARY KEY NOT NULL,
	`json` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `origins_json` ON `origins` (`json`);--> statement-breakpoint
ALTER TABLE `declarations` ADD `origin_id` integer REFERENCES origins(id);--> statement-breakpoint
ALTER TABLE `declarations` ADD `walk` text;--> statement-breakpoint
ALTER TABLE `declarations` ADD `has_successor` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `declarations_walk_missing` ON `declarations` (`sha256`) WHERE walk IS NULL;--> statement-breakpoint
ALTER TABLE `declarations` DROP COLUMN `origin_json`;--> statement-breakpoint
-- rows stored before: successors already held are flagged here; origin_id and walk are
-- filled from each payload at start-up (fillWalkColumns), where JSON is read as signed
UPDATE `declarations` SET `has_successor` = 1 WHERE EXISTS (SELECT 1 FROM `declarations` `s` WHERE `s`.`supplier_id` = `declarations`.`supplier_id` AND `s`.`supersedes` = `declarations`.`decl_id`);