CREATE TABLE `amendments` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`contract_key` text NOT NULL,
	`number` integer NOT NULL,
	`source` text NOT NULL,
	`source_ref` text NOT NULL,
	`effective_date` text NOT NULL,
	`signed_by` text,
	`changes` text NOT NULL,
	`diff` text,
	`state` text NOT NULL,
	`contract_version` integer,
	`approval_id` text,
	`correlation_id` text NOT NULL,
	`message` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `amendments_number_idx` ON `amendments` (`tenant_id`,`contract_key`,`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `amendments_source_idx` ON `amendments` (`tenant_id`,`source`,`source_ref`);--> statement-breakpoint
CREATE TABLE `approval_policies` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`policy` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `teams_cards` (
	`tenant_id` text NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`activity_id` text NOT NULL,
	`service_url` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `subject_type`, `subject_id`, `conversation_id`)
);
--> statement-breakpoint
CREATE TABLE `teams_conversations` (
	`tenant_id` text NOT NULL,
	`aad_object_id` text NOT NULL,
	`service_url` text NOT NULL,
	`conversation_id` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `aad_object_id`)
);
--> statement-breakpoint
ALTER TABLE `tenants` ADD `teams_tenant_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_teams_tenant_id_unique` ON `tenants` (`teams_tenant_id`);