CREATE TABLE `declaration_submitters` (
	`sha256` text NOT NULL,
	`supplier_id` text NOT NULL,
	`submitted_at` text NOT NULL,
	PRIMARY KEY(`sha256`, `supplier_id`),
	FOREIGN KEY (`sha256`) REFERENCES `declarations`(`sha256`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`supplier_id`) REFERENCES `suppliers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `declaration_submitters_supplier` ON `declaration_submitters` (`supplier_id`);