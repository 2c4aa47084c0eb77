CREATE TABLE `exception_job_items` (
	`job_id` text NOT NULL,
	`seq` integer NOT NULL,
	`tenant_id` text NOT NULL,
	`exception_id` text NOT NULL,
	`outcome` text,
	`message` text,
	PRIMARY KEY(`job_id`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `exception_job_items_outcome_idx` ON `exception_job_items` (`job_id`,`outcome`,`seq`);--> statement-breakpoint
CREATE TABLE `exception_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`action` text NOT NULL,
	`params` text NOT NULL,
	`selection` text NOT NULL,
	`state` text NOT NULL,
	`total` integer NOT NULL,
	`cursor` integer DEFAULT 0 NOT NULL,
	`processed` integer DEFAULT 0 NOT NULL,
	`succeeded` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`message` text,
	`created_by` text NOT NULL,
	`principal` text NOT NULL,
	`correlation_id` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE INDEX `exception_jobs_tenant_idx` ON `exception_jobs` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `exception_jobs_state_idx` ON `exception_jobs` (`state`,`updated_at`);--> statement-breakpoint
CREATE TABLE `exception_tags` (
	`tenant_id` text NOT NULL,
	`exception_id` text NOT NULL,
	`tag` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `exception_id`, `tag`)
);
--> statement-breakpoint
CREATE INDEX `exception_tags_tag_idx` ON `exception_tags` (`tenant_id`,`tag`,`exception_id`);--> statement-breakpoint
CREATE TABLE `sla_policies` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`policy` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
ALTER TABLE `exceptions` ADD `system` text DEFAULT 'handoff' NOT NULL;--> statement-breakpoint
ALTER TABLE `exceptions` ADD `title` text;--> statement-breakpoint
ALTER TABLE `exceptions` ADD `assignee` text;--> statement-breakpoint
ALTER TABLE `exceptions` ADD `job_id` text;--> statement-breakpoint
CREATE INDEX `exceptions_created_idx` ON `exceptions` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `exceptions_owner_idx` ON `exceptions` (`tenant_id`,`owner`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `exceptions_code_idx` ON `exceptions` (`tenant_id`,`code`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `exceptions_system_idx` ON `exceptions` (`tenant_id`,`system`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `exceptions_assignee_idx` ON `exceptions` (`tenant_id`,`assignee`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_subject_idx` ON `audit_log` (`tenant_id`,`subject_type`,`subject_id`,`id`);--> statement-breakpoint
-- Exceptions recorded before `system` existed: the system their source and rule concern, named as the firm connected it.
UPDATE `exceptions` SET `system` = coalesce(
	(SELECT c.`system` FROM `connections` c WHERE c.`tenant_id` = `exceptions`.`tenant_id` AND c.`role` = (CASE
		WHEN `source` IN ('posting', 'invoice') THEN 'erp'
		WHEN `source` = 'intake' THEN 'psa'
		WHEN `source` = 'amendment' THEN 'clm'
		WHEN `source` = 'delivery' AND `code` IN ('over-not-to-exceed', 'over-travel-cap') THEN 'crm'
		WHEN `source` = 'delivery' AND `code` IN ('outside-contract-term', 'no-rate-for-role', 'superseded-rate', 'rate-mismatch', 'currency-mismatch', 'superseded-by-amendment') THEN 'psa'
		WHEN `source` = 'delivery' AND `code` <> 'project-not-active' THEN 'erp'
		WHEN `source` = 'activation' AND `owner` = 'finance-ops' THEN 'erp'
		WHEN `source` = 'activation' AND `owner` = 'delivery-ops' THEN 'psa'
		WHEN `source` = 'activation' AND `owner` = 'sales-ops' THEN 'crm'
	END)),
	'handoff');
