CREATE TABLE `console_group_mappings` (
	`tenant_id` text NOT NULL,
	`provider` text NOT NULL,
	`group_id` text NOT NULL,
	`role` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `provider`, `group_id`, `role`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `console_invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`roles` text NOT NULL,
	`email` text,
	`expires_at` text NOT NULL,
	`redeemed_at` text,
	`redeemed_by` text,
	`created_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `console_invitations_token_idx` ON `console_invitations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `console_invitations_tenant_idx` ON `console_invitations` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `console_members` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`provider` text NOT NULL,
	`organization_id` text NOT NULL,
	`subject` text NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`roles` text NOT NULL,
	`state` text DEFAULT 'active' NOT NULL,
	`invitation_id` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`last_sign_in_at` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `console_members_identity_idx` ON `console_members` (`provider`,`organization_id`,`subject`);--> statement-breakpoint
CREATE INDEX `console_members_tenant_idx` ON `console_members` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `console_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`tenant_id` text NOT NULL,
	`member_id` text NOT NULL,
	`roles` text NOT NULL,
	`csrf_token` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`last_seen_at` text NOT NULL,
	`idle_expires_at` text NOT NULL,
	`absolute_expires_at` text NOT NULL,
	`revoked_at` text,
	`revoked_reason` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `console_members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `console_sessions_token_idx` ON `console_sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `console_sessions_member_idx` ON `console_sessions` (`member_id`);--> statement-breakpoint
CREATE INDEX `console_sessions_expiry_idx` ON `console_sessions` (`absolute_expires_at`);--> statement-breakpoint
CREATE TABLE `console_sign_ins` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`state_hash` text NOT NULL,
	`browser_hash` text NOT NULL,
	`nonce` text NOT NULL,
	`code_verifier` text NOT NULL,
	`redirect_uri` text NOT NULL,
	`invitation_id` text,
	`return_to` text NOT NULL,
	`expires_at` text NOT NULL,
	`consumed_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `console_sign_ins_state_idx` ON `console_sign_ins` (`state_hash`);--> statement-breakpoint
CREATE INDEX `console_sign_ins_expiry_idx` ON `console_sign_ins` (`expires_at`);