CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`contract_key` text NOT NULL,
	`subject_key` text NOT NULL,
	`psa_subject_id` text,
	`state` text NOT NULL,
	`approver` text,
	`decided_by` text,
	`decided_at` text,
	`comment` text,
	`evidence` text,
	`correlation_id` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `approvals_subject_idx` ON `approvals` (`tenant_id`,`kind`,`contract_key`,`subject_key`);--> statement-breakpoint
CREATE TABLE `contract_versions` (
	`tenant_id` text NOT NULL,
	`contract_key` text NOT NULL,
	`version` integer NOT NULL,
	`contract` text NOT NULL,
	`source` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `contract_key`, `version`)
);
--> statement-breakpoint
CREATE TABLE `delivery_items` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`contract_key` text NOT NULL,
	`psa_project_id` text NOT NULL,
	`entry` text NOT NULL,
	`state` text NOT NULL,
	`billable` integer NOT NULL,
	`is_travel` integer DEFAULT false NOT NULL,
	`amount_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`rate_minor` integer,
	`rule` text,
	`note` text,
	`erp_id` text,
	`exception_id` text,
	`correlation_id` text NOT NULL,
	`psa_updated_at` text NOT NULL,
	`posted_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `delivery_project_idx` ON `delivery_items` (`tenant_id`,`psa_project_id`,`state`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`tenant_id` text NOT NULL,
	`erp_id` text NOT NULL,
	`contract_key` text NOT NULL,
	`number` text NOT NULL,
	`status` text NOT NULL,
	`total_minor` integer NOT NULL,
	`paid_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`date` text NOT NULL,
	`url` text,
	`description` text NOT NULL,
	`milestone_key` text,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `erp_id`)
);
--> statement-breakpoint
CREATE INDEX `invoices_contract_idx` ON `invoices` (`tenant_id`,`contract_key`);--> statement-breakpoint
CREATE TABLE `milestone_status` (
	`tenant_id` text NOT NULL,
	`contract_key` text NOT NULL,
	`milestone_key` text NOT NULL,
	`psa_id` text NOT NULL,
	`psa_state` text NOT NULL,
	`blockers` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `contract_key`, `milestone_key`)
);
--> statement-breakpoint
CREATE TABLE `sync_cursors` (
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`value` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `webhook_receipts` (
	`tenant_id` text NOT NULL,
	`source` text NOT NULL,
	`delivery_id` text NOT NULL,
	`received_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `source`, `delivery_id`)
);
