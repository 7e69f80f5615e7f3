ALTER TABLE `declarations` ADD `origin_json` text;--> statement-breakpoint
ALTER TABLE `declarations` ADD `rest_json` text;--> statement-breakpoint
UPDATE `declarations` SET `origin_json` = `payload` -> '$.origin', `rest_json` = json_remove(`payload`, '$.origin');
