CREATE TABLE `connection_authorizations` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`role` text NOT NULL,
	`system` text NOT NULL,
	`state_hash` text NOT NULL,
	`code_verifier` text,
	`redirect_uri` text NOT NULL,
	`endpoints` text NOT NULL,
	`started_by` text NOT NULL,
	`expires_at` text NOT NULL,
	`consumed_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `connection_authorizations_state_idx` ON `connection_authorizations` (`state_hash`);--> statement-breakpoint
CREATE INDEX `connection_authorizations_tenant_idx` ON `connection_authorizations` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `integration_signals` (
	`tenant_id` text NOT NULL,
	`signal` text NOT NULL,
	`last_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `signal`)
);
