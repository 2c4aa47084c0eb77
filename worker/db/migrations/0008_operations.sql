CREATE TABLE `connection_status` (
	`tenant_id` text NOT NULL,
	`role` text NOT NULL,
	`system` text NOT NULL,
	`state` text NOT NULL,
	`since` text NOT NULL,
	`reason` text,
	`last_checked_at` text,
	`last_check_error` text,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `role`)
);
--> statement-breakpoint
CREATE INDEX `connection_status_state_idx` ON `connection_status` (`state`,`last_checked_at`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`queue` text NOT NULL,
	`subject_key` text NOT NULL,
	`message_id` text NOT NULL,
	`message` text NOT NULL,
	`item_id` text,
	`correlation_id` text NOT NULL,
	`attempts` integer NOT NULL,
	`times` integer DEFAULT 1 NOT NULL,
	`reason` text NOT NULL,
	`exception_id` text,
	`state` text NOT NULL,
	`outcome` text,
	`first_seen_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	`handled_by` text,
	`handled_at` text,
	`note` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dead_letters_subject_idx` ON `dead_letters` (`tenant_id`,`queue`,`subject_key`);--> statement-breakpoint
CREATE INDEX `dead_letters_list_idx` ON `dead_letters` (`tenant_id`,`state`,`first_seen_at`,`id`);--> statement-breakpoint
CREATE TABLE `outage_waiters` (
	`tenant_id` text NOT NULL,
	`role` text NOT NULL,
	`workflow` text NOT NULL,
	`instance_id` text NOT NULL,
	`event_type` text NOT NULL,
	`since` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`workflow`, `instance_id`, `event_type`)
);
--> statement-breakpoint
CREATE INDEX `outage_waiters_role_idx` ON `outage_waiters` (`tenant_id`,`role`);--> statement-breakpoint
ALTER TABLE `delivery_items` ADD `waiting_for` text;--> statement-breakpoint
ALTER TABLE `delivery_items` ADD `post_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `delivery_waiting_idx` ON `delivery_items` (`waiting_for`,`tenant_id`);--> statement-breakpoint
CREATE INDEX `delivery_state_idx` ON `delivery_items` (`tenant_id`,`state`,`created_at`);