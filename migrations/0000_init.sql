CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`role` text NOT NULL,
	`supplier_id` text,
	`label` text,
	`created_at` text NOT NULL,
	`expires_at` text,
	`revoked_at` text,
	FOREIGN KEY (`supplier_id`) REFERENCES `suppliers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject` text NOT NULL,
	`payload_sha256` text NOT NULL,
	`prev` text NOT NULL,
	`hash` text NOT NULL,
	`payload` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `bom_parts` (
	`bom_id` text NOT NULL,
	`item_id` text NOT NULL,
	`mfr_norm` text NOT NULL,
	`pn_norm` text NOT NULL,
	`path` text NOT NULL,
	PRIMARY KEY(`bom_id`, `item_id`),
	FOREIGN KEY (`bom_id`) REFERENCES `boms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `bom_parts_pn` ON `bom_parts` (`pn_norm`);--> statement-breakpoint
CREATE TABLE `boms` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`part_number` text,
	`revision` text,
	`sha256` text NOT NULL,
	`format` text NOT NULL,
	`media_type` text NOT NULL,
	`content` blob NOT NULL,
	`bom` text NOT NULL,
	`nodes` integer NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `declarations` (
	`sha256` text PRIMARY KEY NOT NULL,
	`supplier_id` text NOT NULL,
	`decl_id` text NOT NULL,
	`kid` text NOT NULL,
	`submitted_by` text NOT NULL,
	`submitter_supplier` text,
	`received_at` text NOT NULL,
	`issued_at` text NOT NULL,
	`expires_at` text,
	`supersedes` text,
	`mfr_norm` text NOT NULL,
	`pn_norm` text NOT NULL,
	`payload` text NOT NULL,
	`jws` text NOT NULL,
	`log_index` integer NOT NULL,
	FOREIGN KEY (`supplier_id`) REFERENCES `suppliers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`kid`) REFERENCES `supplier_keys`(`kid`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `declarations_supplier_id` ON `declarations` (`supplier_id`,`decl_id`);--> statement-breakpoint
CREATE INDEX `declarations_pn` ON `declarations` (`pn_norm`);--> statement-breakpoint
CREATE INDEX `declarations_supersedes` ON `declarations` (`supplier_id`,`supersedes`);--> statement-breakpoint
CREATE INDEX `declarations_submitter` ON `declarations` (`submitter_supplier`);--> statement-breakpoint
CREATE TABLE `manufacturer_aliases` (
	`alias_norm` text PRIMARY KEY NOT NULL,
	`alias` text NOT NULL,
	`canonical` text NOT NULL,
	`canonical_norm` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `manufacturer_aliases_canonical` ON `manufacturer_aliases` (`canonical_norm`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `policies` (
	`id` text NOT NULL,
	`version` integer NOT NULL,
	`body` text NOT NULL,
	`sha256` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `report_parts` (
	`report_id` text NOT NULL,
	`key` text NOT NULL,
	`mfr_norm` text NOT NULL,
	`pn_norm` text NOT NULL,
	`via` text,
	`manufacturer` text NOT NULL,
	`part_number` text NOT NULL,
	`name` text,
	PRIMARY KEY(`report_id`, `key`),
	FOREIGN KEY (`report_id`) REFERENCES `reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `report_parts_pn` ON `report_parts` (`pn_norm`);--> statement-breakpoint
CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`bom_id` text NOT NULL,
	`policy_id` text NOT NULL,
	`policy_version` integer NOT NULL,
	`verdict` text NOT NULL,
	`generated_at` text NOT NULL,
	`body` text NOT NULL,
	`jws` text NOT NULL,
	`stale` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`bom_id`) REFERENCES `boms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reports_bom` ON `reports` (`bom_id`);--> statement-breakpoint
CREATE INDEX `reports_verdict` ON `reports` (`verdict`);--> statement-breakpoint
CREATE TABLE `supplier_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`supplier_id` text NOT NULL,
	`alg` text NOT NULL,
	`jwk` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`revoked_at` text,
	`compromised_at` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`supplier_id`) REFERENCES `suppliers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `supplier_keys_supplier` ON `supplier_keys` (`supplier_id`);--> statement-breakpoint
CREATE TABLE `suppliers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`domicile` text NOT NULL,
	`ultimate_parent` text,
	`manufacturer_names` text NOT NULL,
	`created_at` text NOT NULL
);
