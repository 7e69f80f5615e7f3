CREATE TABLE `declaration_walk` (
	`pn_norm` text NOT NULL,
	`sha256` text NOT NULL,
	`received_at` text NOT NULL,
	`has_successor` integer DEFAULT 0 NOT NULL,
	`walk` blob NOT NULL,
	PRIMARY KEY(`pn_norm`, `sha256`),
	FOREIGN KEY (`sha256`) REFERENCES `declarations`(`sha256`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
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
-- the walk rows of declarations stored before are made from their payloads at start-up
-- (fillWalkRows), where the JSON is read as signed
ALTER TABLE `declarations` DROP COLUMN `origin_json`;--> statement-breakpoint
-- reports stored before keep their body whole, as one piece
INSERT INTO `report_chunks` (`report_id`, `seq`, `data`) SELECT `id`, 0, CAST(`body` AS BLOB) FROM `reports`;--> statement-breakpoint
ALTER TABLE `reports` DROP COLUMN `body`;