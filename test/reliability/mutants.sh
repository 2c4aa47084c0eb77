#!/usr/bin/env bash
# Mutation checks: each line breaks one property on purpose (in a copy of the module, swapped in through
# HANDOFF_MUTANT; the source is never edited) and runs the test that must catch it. Prints one line per mutant:
# CAUGHT (a test failed, with its first assertion), MISSED (the test passed), ERROR (no test ran: the suite did
# not load, so nothing was proven) or MUTATION DID NOT APPLY (the source changed: update the pattern).
#   bash test/reliability/mutants.sh                 all, one at a time
#   bash test/reliability/mutants.sh 3 7-9           by number or range
#   bash test/reliability/mutants.sh tenant token    by group or by a word of the name (case-insensitive)
#   bash test/reliability/mutants.sh -j 2 tenant     two at a time (each its own vitest; output in order)
#   bash test/reliability/mutants.sh -l              list them
# Worker tests run in workerd on D1 only (reliability-worker-d1), node tests in the node project; any test
# file of the repo can be named (the reliability config includes them all while a mutant is set).
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
# Each run keeps its copies and logs in a directory of its own (two runs may go on side by side).
M=${HANDOFF_MUTANTS_DIR:-test/reliability/.mutants/run-$$}

# One mutant a line: group ~ name ~ source ~ sed expression ~ test file [~ test name filter (vitest -t)].
# Every import of the source, whatever its specifier, gets the broken copy (vitest.reliability.config.ts).
# Tenant mutants compare the tenant column with itself, which is true for every row: the filter is gone.
# The two-firm suites: every operation of the API with two seeded firms, and two firms living the same story.
TWO_FIRMS='test/worker/security/every-operation.security.test.ts test/worker/security/two-firms-lifecycle.security.test.ts'
MUTANTS=()
while IFS= read -r line; do
  case "$line" in '' | '#'*) continue ;; esac
  MUTANTS+=("${line//\$TWO_FIRMS/$TWO_FIRMS}")
done <<'EOF'
core~idempotency ignores the fingerprint~worker/http/idempotency.ts~s/} else if (existing.fingerprint !== fingerprint) {/} else if (false as boolean) {/~test/reliability/worker/idempotency.property.test.ts
core~idempotency keys shared across tenants~worker/http/idempotency.ts~s/const id = { tenantId: p.tenantId, principal: p.keyId,/const id = { tenantId: 'everyone', principal: 'everyone',/~test/reliability/worker/idempotency.property.test.ts
core~posting line key not stable across redeliveries~worker/queues/posting-consumer.ts~s/=> `hoff-${tenantId}-${itemId.replace(':', '-')}`;/=> `hoff-${tenantId}-${itemId.replace(':', '-')}-${crypto.randomUUID().slice(0, 8)}`;/~test/reliability/worker/queue-chaos.test.ts
core~posting consumer acks before storing the outcome~worker/queues/posting-consumer.ts~s/if (result.ok || !result.retryable) p.msg.ack();/p.msg.ack(); if (false as boolean) {}/~test/reliability/worker/queue-chaos.test.ts
core~activation step keys not derived from (activation, step)~worker/workflows/activation.ts~s/const key = (name: string) => `${p.activationId}:${name}`;/const key = (name: string) => `${p.activationId}:${name}:${crypto.randomUUID()}`;/~test/reliability/worker/step-faults.test.ts
core~T&M cap not enforced~worker/domain/billing/rules.ts~s/if (model.notToExceed \&\& ctx.billedTime/if (false \&\& model.notToExceed \&\& ctx.billedTime/~test/reliability/node/billing-rules.property.test.ts
core~amounts rounded down instead of half-up~worker/domain/billing/rules.ts~s/(rest \* 2 >= perMinuteDivisor ? 1 : 0)/0/~test/reliability/node/billing-rules.property.test.ts
core~webhook timestamp window ignored~worker/connectors/kantata/webhook.ts~s/Math.abs(now - ts) > (opts.toleranceSeconds ?? TOLERANCE_SECONDS)/false/~test/reliability/node/standard-webhooks.property.test.ts
core~webhook: any v1 signature accepted if one parses~worker/connectors/kantata/webhook.ts~s/if (sigBytes \&\& (await crypto.subtle.verify('HMAC', cryptoKey, sigBytes, signed))) valid = true;/if (sigBytes \&\& sigBytes.length === 32) valid = true;/~test/reliability/node/standard-webhooks.property.test.ts
core~sweep launches a new workflow instance on every tick~worker/domain/maintenance/sweep.ts~s/paramsOf(row, row.requestedBy ?? 'handoff'), row.workflowInstanceId);/paramsOf(row, row.requestedBy ?? 'handoff'), `${row.workflowInstanceId}-${crypto.randomUUID().slice(0, 6)}`);/~test/reliability/worker/outbox.test.ts
core~allocate drops the remainder~shared/model/money.ts~s/if (left === 0n) break;/break;/~test/reliability/node/money.property.test.ts
core~bulk job acts again on an exception a person closed meanwhile~worker/domain/exceptions/jobs/run-job.ts~s/return sql`e.status in ${OPEN_SQL}`;/return sql`1 = 1`;/~test/worker/exception-jobs.test.ts
# Tenant filters: each query that filters by tenant, without it. Caught by a test with two seeded firms.
tenant~delivery items: loadItems (posting-consumer.ts)~worker/queues/posting-consumer.ts~/and(eq(deliveryItemsTable\.tenantId, tenantId), inArray(deliveryItemsTable\.id, ids\.slice(i, i + 90))),/s/eq(deliveryItemsTable\.tenantId, tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: recordOutcomes (posting-consumer.ts)~worker/queues/posting-consumer.ts~/const where = and(eq(deliveryItemsTable\.tenantId, tenantId), eq(deliveryItemsTable\.id, p\.item\.id));/s/eq(deliveryItemsTable\.tenantId, tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: dead letter (read item) (posting-consumer.ts)~worker/queues/posting-consumer.ts~/\.where(and(eq(deliveryItemsTable\.tenantId, tenantId), eq(deliveryItemsTable\.id, body\.itemId)))/s/eq(deliveryItemsTable\.tenantId, tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: dead letter (hold item) (posting-consumer.ts)~worker/queues/posting-consumer.ts~/\.where(and(eq(deliveryItemsTable\.tenantId, tenantId), eq(deliveryItemsTable\.id, item\.id))),/s/eq(deliveryItemsTable\.tenantId, tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~idempotency: idempotent (idempotency.ts)~worker/http/idempotency.ts~/eq(idempotencyKeysTable\.tenantId, id\.tenantId),/s/eq(idempotencyKeysTable\.tenantId, id\.tenantId)/eq(idempotencyKeysTable.tenantId, idempotencyKeysTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activations: validate-contract step (activation.ts)~worker/workflows/activation.ts~/\.where(and(eq(activationsTable\.tenantId, p\.tenantId), eq(activationsTable\.id, p\.activationId)));/s/eq(activationsTable\.tenantId, p\.tenantId)/eq(activationsTable.tenantId, activationsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activations: clearRetrying (activation.ts)~worker/workflows/activation.ts~/eq(activationsTable\.tenantId, p\.tenantId),/s/eq(activationsTable\.tenantId, p\.tenantId)/eq(activationsTable.tenantId, activationsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~amendments: wakeSuccessor (this one) (amendment.ts)~worker/workflows/amendment.ts~/\.where(and(eq(amendmentsTable\.tenantId, tenantId), eq(amendmentsTable\.id, amendmentId)))/s/eq(amendmentsTable\.tenantId, tenantId)/eq(amendmentsTable.tenantId, amendmentsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~amendments: wakeSuccessor (the next one) (amendment.ts)~worker/workflows/amendment.ts~/eq(amendmentsTable\.tenantId, tenantId),/s/eq(amendmentsTable\.tenantId, tenantId)/eq(amendmentsTable.tenantId, amendmentsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~amendments: load (amendment.ts)~worker/workflows/amendment.ts~/\.where(and(eq(amendmentsTable\.tenantId, p\.tenantId), eq(amendmentsTable\.id, p\.amendmentId)))/s/eq(amendmentsTable\.tenantId, p\.tenantId)/eq(amendmentsTable.tenantId, amendmentsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~amendments: setState (amendment.ts)~worker/workflows/amendment.ts~/\.where(and(eq(amendmentsTable\.tenantId, p\.tenantId), eq(amendmentsTable\.id, p\.amendmentId)));/s/eq(amendmentsTable\.tenantId, p\.tenantId)/eq(amendmentsTable.tenantId, amendmentsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~amendments: check-predecessors step (amendment.ts)~worker/workflows/amendment.ts~/eq(amendmentsTable\.tenantId, p\.tenantId),/s/eq(amendmentsTable\.tenantId, p\.tenantId)/eq(amendmentsTable.tenantId, amendmentsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: compute-diff step (time at superseded rates) (amendment.ts)~worker/workflows/amendment.ts~/eq(deliveryItemsTable\.tenantId, p\.tenantId),/s/eq(deliveryItemsTable\.tenantId, p\.tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: request-approval step (amendment.ts)~worker/workflows/amendment.ts~/eq(approvalsTable\.tenantId, p\.tenantId),/s/eq(approvalsTable\.tenantId, p\.tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~links: propagate-erp step (billing schedule link) (amendment.ts)~worker/workflows/amendment.ts~/eq(linksTable\.tenantId, p\.tenantId),/s/eq(linksTable\.tenantId, p\.tenantId)/eq(linksTable.tenantId, linksTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: hold-superseded-time step (read) (amendment.ts)~worker/workflows/amendment.ts~/\.where(and(eq(deliveryItemsTable\.tenantId, p\.tenantId), eq(deliveryItemsTable\.id, itemId)))/s/eq(deliveryItemsTable\.tenantId, p\.tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: hold-superseded-time step (update) (amendment.ts)~worker/workflows/amendment.ts~/\.where(and(eq(deliveryItemsTable\.tenantId, p\.tenantId), eq(deliveryItemsTable\.id, itemId))),/s/eq(deliveryItemsTable\.tenantId, p\.tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: create-invoice step (approval) (milestone-invoice.ts)~worker/workflows/milestone-invoice.ts~/\.where(and(eq(approvalsTable\.tenantId, p\.tenantId), eq(approvalsTable\.id, p\.approvalId)))/s/eq(approvalsTable\.tenantId, p\.tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activations: launchWorkflow (start-activation.ts)~worker/domain/activation/start-activation.ts~/\.where(and(eq(activationsTable\.tenantId, params\.tenantId), eq(activationsTable\.id, params\.activationId)));/s/eq(activationsTable\.tenantId, params\.tenantId)/eq(activationsTable.tenantId, activationsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: startActivation (start-activation.ts)~worker/domain/activation/start-activation.ts~/\.where(and(eq(exceptionsTable\.tenantId, tenantId), eq(exceptionsTable\.id, row\.exceptionId)));/s/eq(exceptionsTable\.tenantId, tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activations: findActivation (store.ts)~worker/domain/activation/store.ts~/\.where(and(eq(activationsTable\.tenantId, tenantId), cond))/s/eq(activationsTable\.tenantId, tenantId)/eq(activationsTable.tenantId, activationsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activations: setActivationStatus (store.ts)~worker/domain/activation/store.ts~/\.where(and(eq(activationsTable\.tenantId, tenantId), eq(activationsTable\.id, id)));/s/eq(activationsTable\.tenantId, tenantId)/eq(activationsTable.tenantId, activationsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activation steps: resetSteps (store.ts)~worker/domain/activation/store.ts~/and(eq(activationStepsTable\.tenantId, tenantId), eq(activationStepsTable\.activationId, activationId)),/s/eq(activationStepsTable\.tenantId, tenantId)/eq(activationStepsTable.tenantId, activationStepsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~links: linksFor (store.ts)~worker/domain/activation/store.ts~/\.where(and(eq(linksTable\.tenantId, tenantId), eq(linksTable\.contractKey, contractKey)))/s/eq(linksTable\.tenantId, tenantId)/eq(linksTable.tenantId, linksTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activation steps: activationView (store.ts)~worker/domain/activation/store.ts~/and(eq(activationStepsTable\.tenantId, row\.tenantId), eq(activationStepsTable\.activationId, row\.id)),/s/eq(activationStepsTable\.tenantId, row\.tenantId)/eq(activationStepsTable.tenantId, activationStepsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: activationView (store.ts)~worker/domain/activation/store.ts~/\.where(and(eq(exceptionsTable\.tenantId, row\.tenantId), eq(exceptionsTable\.id, row\.exceptionId)))/s/eq(exceptionsTable\.tenantId, row\.tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: decideChangeOrder (decide-change-order.ts)~worker/domain/teams/decide-change-order.ts~/eq(approvalsTable\.tenantId, input\.tenantId),/s/eq(approvalsTable\.tenantId, input\.tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: myExceptions (my-exceptions.ts)~worker/domain/teams/my-exceptions.ts~/eq(exceptionsTable\.tenantId, tenantId),/s/eq(exceptionsTable\.tenantId, tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: exceptionOwner (my-exceptions.ts)~worker/domain/teams/my-exceptions.ts~/\.where(and(eq(exceptionsTable\.tenantId, tenantId), eq(exceptionsTable\.id, id)))/s/eq(exceptionsTable\.tenantId, tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: myApprovals (my-approvals.ts)~worker/domain/teams/my-approvals.ts~/eq(approvalsTable\.tenantId, tenantId),/s/eq(approvalsTable\.tenantId, tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~teams conversations: conversationFor (notify.ts)~worker/domain/teams/notify.ts~/eq(teamsConversationsTable\.tenantId, tenantId),/s/eq(teamsConversationsTable\.tenantId, tenantId)/eq(teamsConversationsTable.tenantId, teamsConversationsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~teams cards: send (card already sent?) (notify.ts)~worker/domain/teams/notify.ts~/const \[sent\] = await db/,/teamsCardsTable\.tenantId, /s/eq(teamsCardsTable\.tenantId, tenantId)/eq(teamsCardsTable.tenantId, teamsCardsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: notifyApproval (notify.ts)~worker/domain/teams/notify.ts~/\.where(and(eq(approvalsTable\.tenantId, tenantId), eq(approvalsTable\.id, approvalId)))/s/eq(approvalsTable\.tenantId, tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~teams cards: refreshSentCards (notify.ts)~worker/domain/teams/notify.ts~/const copies = await db/,/teamsCardsTable\.tenantId, /s/eq(teamsCardsTable\.tenantId, tenantId)/eq(teamsCardsTable.tenantId, teamsCardsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: approvalCard (views.ts)~worker/domain/teams/views.ts~/\.where(and(eq(approvalsTable\.tenantId, tenantId), eq(approvalsTable\.id, approvalId)))/s/eq(approvalsTable\.tenantId, tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~invoices: approvalCard (views.ts)~worker/domain/teams/views.ts~/eq(invoicesTable\.tenantId, tenantId),/s/eq(invoicesTable\.tenantId, tenantId)/eq(invoicesTable.tenantId, invoicesTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~amendments: evidence (views.ts)~worker/domain/teams/views.ts~/\.where(and(eq(amendmentsTable\.tenantId, tenantId), eq(amendmentsTable\.id, a\.subjectKey)))/s/eq(amendmentsTable\.tenantId, tenantId)/eq(amendmentsTable.tenantId, amendmentsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: exceptionCardFor (views.ts)~worker/domain/teams/views.ts~/\.where(and(eq(exceptionsTable\.tenantId, tenantId), eq(exceptionsTable\.id, exceptionId)))/s/eq(exceptionsTable\.tenantId, tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approval policies: savePolicy (save-policy.ts)~worker/domain/teams/save-policy.ts~/\.where(eq(approvalPoliciesTable\.tenantId, input\.tenantId))/s/eq(approvalPoliciesTable\.tenantId, input\.tenantId)/eq(approvalPoliciesTable.tenantId, approvalPoliciesTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: handleCardAction (approval) (card-actions.ts)~worker/domain/teams/card-actions.ts~/\.where(and(eq(approvalsTable\.tenantId, tenantId), eq(approvalsTable\.id, approvalId)))/s/eq(approvalsTable\.tenantId, tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: handleCardAction (exception) (card-actions.ts)~worker/domain/teams/card-actions.ts~/\.where(and(eq(exceptionsTable\.tenantId, tenantId), eq(exceptionsTable\.id, exceptionId)))/s/eq(exceptionsTable\.tenantId, tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: assign and tags, find (annotate.ts)~worker/domain/exceptions/annotate.ts~/\.where(and(eq(exceptionsTable\.tenantId, tenantId), eq(exceptionsTable\.id, id)))/s/eq(exceptionsTable\.tenantId, tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~test/worker/exceptions-workbench.test.ts
tenant~connections: loadConnectors (connectors.ts)~worker/domain/tenancy/connectors.ts~/const rows = await db\.select()\.from(connectionsTable)\.where(eq(connectionsTable\.tenantId, tenantId));/s/eq(connectionsTable\.tenantId, tenantId)/eq(connectionsTable.tenantId, connectionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~connections: connectionRow (connectors.ts)~worker/domain/tenancy/connectors.ts~/\.where(and(eq(connectionsTable\.tenantId, tenantId), eq(connectionsTable\.role, role)))/s/eq(connectionsTable\.tenantId, tenantId)/eq(connectionsTable.tenantId, connectionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~api keys: listApiKeys (api-keys.ts)~worker/domain/tenancy/api-keys.ts~/\.where(eq(apiKeysTable\.tenantId, tenantId))/s/eq(apiKeysTable\.tenantId, tenantId)/eq(apiKeysTable.tenantId, apiKeysTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~api keys: keyRow (api-keys.ts)~worker/domain/tenancy/api-keys.ts~/\.where(and(eq(apiKeysTable\.tenantId, tenantId), eq(apiKeysTable\.id, id)))/s/eq(apiKeysTable\.tenantId, tenantId)/eq(apiKeysTable.tenantId, apiKeysTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~api keys: usableKeys (api-keys.ts)~worker/domain/tenancy/api-keys.ts~/eq(apiKeysTable\.tenantId, tenantId),/s/eq(apiKeysTable\.tenantId, tenantId)/eq(apiKeysTable.tenantId, apiKeysTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~api keys: rotateApiKey (api-keys.ts)~worker/domain/tenancy/api-keys.ts~/eq(apiKeysTable\.tenantId, cmd\.tenantId),/s/eq(apiKeysTable\.tenantId, cmd\.tenantId)/eq(apiKeysTable.tenantId, apiKeysTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~api keys: otherAdmins (api-keys.ts)~worker/domain/tenancy/api-keys.ts~/and(eq(apiKeysTable\.tenantId, cmd\.tenantId), eq(apiKeysTable\.id, id), isNull(apiKeysTable\.revokedAt)),/s/eq(apiKeysTable\.tenantId, cmd\.tenantId)/eq(apiKeysTable.tenantId, apiKeysTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~connections: listConnections (list-connections.ts)~worker/domain/tenancy/list-connections.ts~/const rows = await db\.select()\.from(connectionsTable)\.where(eq(connectionsTable\.tenantId, tenantId));/s/eq(connectionsTable\.tenantId, tenantId)/eq(connectionsTable.tenantId, connectionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: openExceptionOnce (open-exception.ts)~worker/domain/exceptions/open-exception.ts~/eq(exceptionsTable\.tenantId, input\.tenantId),/s/eq(exceptionsTable\.tenantId, input\.tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: workbench filters (filter.ts)~worker/domain/exceptions/filter.ts~/const conds: SQL\[\] = \[eq(exceptionsTable\.tenantId, tenantId)\];/s/eq(exceptionsTable\.tenantId, tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: workbench list, facets and job selections (filter.ts)~worker/domain/exceptions/filter.ts~/const conds: SQL\[\] = \[eq(exceptionsTable\.tenantId, tenantId)\];/s/eq(exceptionsTable\.tenantId, tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~test/worker/exceptions-workbench.test.ts
tenant~exceptions: exceptionDetail (exception-detail.ts)~worker/domain/exceptions/exception-detail.ts~/\.where(and(eq(exceptionsTable\.tenantId, tenantId), eq(exceptionsTable\.id, id)))/s/eq(exceptionsTable\.tenantId, tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~test/worker/exceptions-workbench.test.ts
tenant~sla policies: loadSla (sla.ts)~worker/domain/exceptions/sla.ts~/\.where(eq(slaPoliciesTable\.tenantId, tenantId))/s/eq(slaPoliciesTable\.tenantId, tenantId)/eq(slaPoliciesTable.tenantId, slaPoliciesTable.tenantId)/~test/worker/exceptions-workbench.test.ts
tenant~exceptions: job selection by ids (jobs.ts)~worker/domain/exceptions/jobs/jobs.ts~/eq(exceptionsTable\.tenantId, tenantId),/s/eq(exceptionsTable\.tenantId, tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~test/worker/exception-jobs.test.ts
tenant~exception jobs: findJob (jobs.ts)~worker/domain/exceptions/jobs/jobs.ts~/\.where(and(eq(exceptionJobsTable\.tenantId, tenantId), eq(exceptionJobsTable\.id, id)))/s/eq(exceptionJobsTable\.tenantId, tenantId)/eq(exceptionJobsTable.tenantId, exceptionJobsTable.tenantId)/~test/worker/exception-jobs.test.ts
tenant~exception jobs: listExceptionJobs (jobs.ts)~worker/domain/exceptions/jobs/jobs.ts~/\.where(eq(exceptionJobsTable\.tenantId, tenantId))/s/eq(exceptionJobsTable\.tenantId, tenantId)/eq(exceptionJobsTable.tenantId, exceptionJobsTable.tenantId)/~test/worker/exception-jobs.test.ts
tenant~exceptions: load (resolve) (resolve-exception.ts)~worker/domain/exceptions/resolve-exception.ts~/\.where(and(eq(exceptionsTable\.tenantId, ctx\.tenantId), eq(exceptionsTable\.id, id)))/s/eq(exceptionsTable\.tenantId, ctx\.tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: close (resolve) (resolve-exception.ts)~worker/domain/exceptions/resolve-exception.ts~/\.where(and(eq(exceptionsTable\.tenantId, ctx\.tenantId), eq(exceptionsTable\.id, id)));/s/eq(exceptionsTable\.tenantId, ctx\.tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: requeueItem (read) (resolve-exception.ts)~worker/domain/exceptions/resolve-exception.ts~/\.where(and(eq(deliveryItemsTable\.tenantId, ctx\.tenantId), eq(deliveryItemsTable\.id, itemId)))/s/eq(deliveryItemsTable\.tenantId, ctx\.tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: requeueItem (update) (resolve-exception.ts)~worker/domain/exceptions/resolve-exception.ts~/\.where(and(eq(deliveryItemsTable\.tenantId, ctx\.tenantId), eq(deliveryItemsTable\.id, itemId)));/s/eq(deliveryItemsTable\.tenantId, ctx\.tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activations: exception detail (activation) (resolve-exception.ts)~worker/domain/exceptions/resolve-exception.ts~/and(eq(activationsTable\.tenantId, ctx\.tenantId), eq(activationsTable\.opportunityId, ex\.subjectId)),/s/eq(activationsTable\.tenantId, ctx\.tenantId)/eq(activationsTable.tenantId, activationsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: skip (item) (resolve-exception.ts)~worker/domain/exceptions/resolve-exception.ts~/\.where(and(eq(deliveryItemsTable\.tenantId, ctx\.tenantId), eq(deliveryItemsTable\.id, itemId)));/s/eq(deliveryItemsTable\.tenantId, ctx\.tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approval policies: loadPolicy (policy.ts)~worker/domain/amendments/policy.ts~/\.where(eq(approvalPoliciesTable\.tenantId, tenantId))/s/eq(approvalPoliciesTable\.tenantId, tenantId)/eq(approvalPoliciesTable.tenantId, approvalPoliciesTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~amendments: bySourceRef (receive-amendment.ts)~worker/domain/amendments/receive-amendment.ts~/eq(amendmentsTable\.tenantId, a\.tenantId),/s/eq(amendmentsTable\.tenantId, a\.tenantId)/eq(amendmentsTable.tenantId, amendmentsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~amendments: checkAgainstContract (receive-amendment.ts)~worker/domain/amendments/receive-amendment.ts~/\.where(and(eq(amendmentsTable\.tenantId, a\.tenantId), eq(amendmentsTable\.contractKey, a\.contractKey)))/s/eq(amendmentsTable\.tenantId, a\.tenantId)/eq(amendmentsTable.tenantId, amendmentsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~amendments: listAmendments (list-amendments.ts)~worker/domain/amendments/list-amendments.ts~/\.where(and(eq(amendmentsTable\.tenantId, tenantId), eq(amendmentsTable\.contractKey, contractKey)))/s/eq(amendmentsTable\.tenantId, tenantId)/eq(amendmentsTable.tenantId, amendmentsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: readiness (items) (readiness.ts)~worker/domain/billing/readiness.ts~/and(eq(deliveryItemsTable\.tenantId, p\.tenantId), eq(deliveryItemsTable\.contractKey, p\.contractKey)),/s/eq(deliveryItemsTable\.tenantId, p\.tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~invoices: readiness (invoices) (readiness.ts)~worker/domain/billing/readiness.ts~/\.where(and(eq(invoicesTable\.tenantId, p\.tenantId), eq(invoicesTable\.contractKey, p\.contractKey)))/s/eq(invoicesTable\.tenantId, p\.tenantId)/eq(invoicesTable.tenantId, invoicesTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: readiness (approvals) (readiness.ts)~worker/domain/billing/readiness.ts~/\.where(and(eq(approvalsTable\.tenantId, p\.tenantId), eq(approvalsTable\.contractKey, p\.contractKey))),/s/eq(approvalsTable\.tenantId, p\.tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~milestone status: readiness (milestone status) (readiness.ts)~worker/domain/billing/readiness.ts~/eq(milestoneStatusTable\.tenantId, p\.tenantId),/s/eq(milestoneStatusTable\.tenantId, p\.tenantId)/eq(milestoneStatusTable.tenantId, milestoneStatusTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~exceptions: readiness (exceptions) (readiness.ts)~worker/domain/billing/readiness.ts~/\.where(and(eq(exceptionsTable\.tenantId, p\.tenantId), eq(exceptionsTable\.projectKey, p\.contractKey)))/s/eq(exceptionsTable\.tenantId, p\.tenantId)/eq(exceptionsTable.tenantId, exceptionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: heldAmount (readiness.ts)~worker/domain/billing/readiness.ts~/eq(deliveryItemsTable\.tenantId, p\.tenantId),/s/eq(deliveryItemsTable\.tenantId, p\.tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~invoices: recordInvoice (sync-invoices.ts)~worker/domain/billing/sync-invoices.ts~/\.where(and(eq(invoicesTable\.tenantId, project\.tenantId), eq(invoicesTable\.erpId, inv\.id)))/s/eq(invoicesTable\.tenantId, project\.tenantId)/eq(invoicesTable.tenantId, invoicesTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~invoices: billingSummary (sync-invoices.ts)~worker/domain/billing/sync-invoices.ts~/and(eq(invoicesTable\.tenantId, project\.tenantId), eq(invoicesTable\.contractKey, project\.contractKey)),/s/eq(invoicesTable\.tenantId, project\.tenantId)/eq(invoicesTable.tenantId, invoicesTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~sync cursors: publishBilling (cursor) (sync-invoices.ts)~worker/domain/billing/sync-invoices.ts~/\.where(and(eq(syncCursorsTable\.tenantId, project\.tenantId), eq(syncCursorsTable\.name, cursorName)))/s/eq(syncCursorsTable\.tenantId, project\.tenantId)/eq(syncCursorsTable.tenantId, syncCursorsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activations: publishBilling (activation) (sync-invoices.ts)~worker/domain/billing/sync-invoices.ts~/eq(activationsTable\.tenantId, project\.tenantId),/s/eq(activationsTable\.tenantId, project\.tenantId)/eq(activationsTable.tenantId, activationsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: ingest (ingest.ts)~worker/domain/billing/ingest.ts~/and(eq(deliveryItemsTable\.tenantId, tenantId), inArray(deliveryItemsTable\.id, ids\.slice(i, i + 90))),/s/eq(deliveryItemsTable\.tenantId, tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: checkMilestones (approvals) (milestones.ts)~worker/domain/billing/milestones.ts~/eq(approvalsTable\.tenantId, project\.tenantId),/s/eq(approvalsTable\.tenantId, project\.tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~invoices: checkMilestones (invoices) (milestones.ts)~worker/domain/billing/milestones.ts~/and(eq(invoicesTable\.tenantId, project\.tenantId), eq(invoicesTable\.contractKey, project\.contractKey)),/s/eq(invoicesTable\.tenantId, project\.tenantId)/eq(invoicesTable.tenantId, invoicesTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: checkMilestones (approval of a completed milestone) (milestones.ts)~worker/domain/billing/milestones.ts~/eq(approvalsTable\.tenantId, project\.tenantId),/s/eq(approvalsTable\.tenantId, project\.tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: listApprovals (list-approvals.ts)~worker/domain/billing/list-approvals.ts~/const conds = \[eq(approvalsTable\.tenantId, tenantId)\];/s/eq(approvalsTable\.tenantId, tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: findApproval (list-approvals.ts)~worker/domain/billing/list-approvals.ts~/\.where(and(eq(approvalsTable\.tenantId, tenantId), eq(approvalsTable\.id, id)))/s/eq(approvalsTable\.tenantId, tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: decideApproval (compare-and-set) (decide-approval.ts)~worker/domain/billing/decide-approval.ts~/eq(approvalsTable\.tenantId, input\.tenantId),/s/eq(approvalsTable\.tenantId, input\.tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: decideApproval (read back) (decide-approval.ts)~worker/domain/billing/decide-approval.ts~/\.where(and(eq(approvalsTable\.tenantId, input\.tenantId), eq(approvalsTable\.id, input\.approvalId)))/s/eq(approvalsTable\.tenantId, input\.tenantId)/eq(approvalsTable.tenantId, approvalsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activations: enqueuePolls (one firm's sync) (enqueue-polls.ts)~worker/domain/billing/enqueue-polls.ts~/if (tenantId) conds\.push(eq(activationsTable\.tenantId, tenantId));/s/eq(activationsTable\.tenantId, tenantId)/eq(activationsTable.tenantId, activationsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~links: enqueuePolls (links) (enqueue-polls.ts)~worker/domain/billing/enqueue-polls.ts~/eq(linksTable\.tenantId, a\.tenantId),/s/eq(linksTable\.tenantId, a\.tenantId)/eq(linksTable.tenantId, linksTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~links: projectByPsaId (project-context.ts)~worker/domain/billing/project-context.ts~/eq(linksTable\.tenantId, tenantId),/s/eq(linksTable\.tenantId, tenantId)/eq(linksTable.tenantId, linksTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~contract versions: projectByContract (contract version) (project-context.ts)~worker/domain/billing/project-context.ts~/and(eq(contractVersionsTable\.tenantId, tenantId), eq(contractVersionsTable\.contractKey, contractKey)),/s/eq(contractVersionsTable\.tenantId, tenantId)/eq(contractVersionsTable.tenantId, contractVersionsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~links: projectByContract (links) (project-context.ts)~worker/domain/billing/project-context.ts~/eq(linksTable\.tenantId, tenantId),/s/eq(linksTable\.tenantId, tenantId)/eq(linksTable.tenantId, linksTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activations: projectByContract (activation) (project-context.ts)~worker/domain/billing/project-context.ts~/\.where(and(eq(activationsTable\.tenantId, tenantId), eq(activationsTable\.opportunityId, contractKey)))/s/eq(activationsTable\.tenantId, tenantId)/eq(activationsTable.tenantId, activationsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~delivery items: billingContext (project-context.ts)~worker/domain/billing/project-context.ts~/eq(deliveryItemsTable\.tenantId, p\.tenantId),/s/eq(deliveryItemsTable\.tenantId, p\.tenantId)/eq(deliveryItemsTable.tenantId, deliveryItemsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~audit log: listAuditEntries (audit.ts)~worker/domain/audit.ts~/\.where(and(eq(auditLogTable\.tenantId, tenantId), eq(auditLogTable\.correlationId, correlationId)))/s/eq(auditLogTable\.tenantId, tenantId)/eq(auditLogTable.tenantId, auditLogTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~sync cursors: cursor (process-intake.ts)~worker/domain/intake/process-intake.ts~/\.where(and(eq(syncCursorsTable\.tenantId, tenantId), eq(syncCursorsTable\.name, name)))/s/eq(syncCursorsTable\.tenantId, tenantId)/eq(syncCursorsTable.tenantId, syncCursorsTable.tenantId)/~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~activation steps: markStep upsert updates another tenant's step row (store.ts)~worker/domain/activation/store.ts~s/setWhere: eq(activationStepsTable\.tenantId, tenantId),//~$TWO_FIRMS~other firm|two seeded firms|two firms
tenant~approvals: create-erp-invoice step bills without this tenant's accepted approval (milestone-invoice.ts)~worker/workflows/milestone-invoice.ts~s/if (approval?\.state !== 'accepted')/if (false as boolean)/~$TWO_FIRMS~other firm|two seeded firms|two firms

# Token checks: each check of each verifier, removed on its own. Caught by a token wrong in that one way.
token~embed token: signature not verified (claims still checked)~worker/domain/embed-tokens.ts~s/const { payload } = await jwtVerify(token, key, {/const { payload } = UnsecuredJWT.decode(new UnsecuredJWT(decodeJwt(token)).encode(), {/;s/import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';/import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, UnsecuredJWT } from 'jose';/~test/node/token-checks.test.ts
token~embed token: any HMAC algorithm (not HS256 only)~worker/domain/embed-tokens.ts~s/if (alg !== 'HS256') throw new Error('embed token not HS256');//;s/algorithms: \['HS256'\],//~test/node/token-checks.test.ts
token~embed token: issuer not checked~worker/domain/embed-tokens.ts~s/issuer: ISSUER,//~test/node/token-checks.test.ts
token~embed token: audience not checked~worker/domain/embed-tokens.ts~s/audience: AUDIENCE,//~test/node/token-checks.test.ts
token~embed token: expiry not checked~worker/domain/embed-tokens.ts~s/clockTolerance: EMBED_TOKEN_LEEWAY_SECONDS,/clockTolerance: 10 ** 9,/~test/node/token-checks.test.ts
token~embed token: kid ignored (always the current key)~worker/domain/embed-tokens.ts~s/const key = typeof kid === 'string' ? ring.keys.get(kid) : undefined;/const key = ring.keys.get(ring.currentId);/~test/node/token-checks.test.ts
token~embed token: tenant and project claims not required~worker/domain/embed-tokens.ts~s/if (typeof payload.tid !== 'string' || typeof payload.prj !== 'string')/if (false as boolean)/~test/node/token-checks.test.ts
token~bot token: signature not verified (claims still checked)~worker/connectors/teams/verify-bot-request.ts~s/({ payload: claims } = await jwtVerify(token, signingKey.key, {/({ payload: claims } = UnsecuredJWT.decode(new UnsecuredJWT(decodeJwt(token)).encode(), {/;s/import { decodeProtectedHeader, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';/import { decodeJwt, decodeProtectedHeader, type JWTPayload, errors as joseErrors, jwtVerify, UnsecuredJWT } from 'jose';/~test/node/token-checks.test.ts
token~bot token: issuer not checked~worker/connectors/teams/verify-bot-request.ts~s/issuer: cfg.issuer,//~test/node/token-checks.test.ts
token~bot token: audience (our app id) not checked~worker/connectors/teams/verify-bot-request.ts~s/audience: cfg.appId,//~test/node/token-checks.test.ts
token~bot token: validity window (exp, nbf) not checked~worker/connectors/teams/verify-bot-request.ts~s/clockTolerance: CLOCK_SKEW_SECONDS,/clockTolerance: 10 ** 9,/~test/node/token-checks.test.ts
token~bot token: exp not required~worker/connectors/teams/verify-bot-request.ts~s/requiredClaims: \['exp'\],//~test/node/token-checks.test.ts
token~bot token: serviceurl claim not compared with the activity's~worker/connectors/teams/verify-bot-request.ts~s/serviceUrlClaim !== activity.serviceUrl/false/~test/node/token-checks.test.ts
token~bot token: key endorsements for the channel not checked~worker/connectors/teams/verify-bot-request.ts~s/if (channelId \&\& signingKey.endorsements \&\& !signingKey.endorsements.includes(channelId)) {/if (false as boolean) {/~test/node/token-checks.test.ts
token~Teams SSO: signature not verified (claims still checked)~worker/domain/teams/sso.ts~s/({ payload } = await jwtVerify(token, keys.keySet(jwksUrl, fetcher), {/({ payload } = UnsecuredJWT.decode(new UnsecuredJWT(decodeJwt(token)).encode(), {/;s/import { createRemoteJWKSet, customFetch, decodeJwt,/import { UnsecuredJWT, createRemoteJWKSet, customFetch, decodeJwt,/~test/node/token-checks.test.ts
token~Teams SSO: algorithm not restricted to RS256~worker/domain/teams/sso.ts~s/algorithms: \['RS256'\],//~test/node/token-checks.test.ts
token~Teams SSO: issuer (per tid) not checked~worker/domain/teams/sso.ts~s/issuer: `${authority}\/${tid}\/v2\.0`,//~test/node/token-checks.test.ts
token~Teams SSO: audience not checked~worker/domain/teams/sso.ts~s/audience: cfg.audiences,//~test/node/token-checks.test.ts
token~Teams SSO: expiry not checked~worker/domain/teams/sso.ts~s/clockTolerance: 300,/clockTolerance: 10 ** 9,/~test/node/token-checks.test.ts
token~Teams SSO: scp access_as_user not required~worker/domain/teams/sso.ts~s/if (!scopes.includes('access_as_user')) throw/if (false as boolean) throw/~test/node/token-checks.test.ts
token~Teams SSO: oid not required~worker/domain/teams/sso.ts~s/if (typeof payload.oid !== 'string') throw/if (false as boolean) throw/~test/node/token-checks.test.ts
token~Teams SSO: tid not validated~worker/domain/teams/sso.ts~s/if (!\/^\[0-9a-zA-Z-\]{1,64}\$\/\.test(tid)) throw/if (false as boolean) throw/~test/node/token-checks.test.ts
token~webhook: webhook-id not required~worker/connectors/kantata/webhook.ts~s/if (!id || !timestamp || !signatures)/if (!timestamp || !signatures)/~test/node/token-checks.test.ts
token~webhook: signature result ignored~worker/connectors/kantata/webhook.ts~s/if (!valid) throw/if (false as boolean) throw/~test/node/token-checks.test.ts
token~DocuSign: HMAC not compared~worker/connectors/docusign/verify-signature.ts~s/for (const e of expected) for (const g of given) ok = timingSafeEqual(e, g) || ok;/ok = expected.length > 0;/~test/node/token-checks.test.ts
token~Teams tab: an organisation no firm connected is let in~worker/routes/v1-teams-tab.ts~s/if (!tenantId)$/if (false as boolean)/~test/worker/teams-tab.security.test.ts
token~Teams tab: tid not matched to the firm that connected it~worker/domain/teams/card-actions.ts~s/\.where(eq(tenantsTable\.teamsTenantId, tid\.toLowerCase()))/.where(eq(tenantsTable.teamsTenantId, tenantsTable.teamsTenantId))/~test/worker/teams-tab.security.test.ts
token~API key: hash not matched (any key of any firm)~worker/http/auth.ts~s/and(eq(apiKeysTable\.keyHash, await sha256Hex(token)), isNull(apiKeysTable\.revokedAt))/isNull(apiKeysTable.revokedAt)/~test/worker/api.security.test.ts
token~API key: revoked keys accepted~worker/http/auth.ts~s/and(eq(apiKeysTable\.keyHash, await sha256Hex(token)), isNull(apiKeysTable\.revokedAt))/eq(apiKeysTable.keyHash, await sha256Hex(token))/~test/worker/keys.security.test.ts
token~API key: expired (rotated, overlap over) keys accepted~worker/http/auth.ts~s/if (row\.expiresAt \&\& row\.expiresAt <= new Date()\.toISOString())/if (false as boolean)/~test/worker/keys.security.test.ts
token~API key: scope (surface) not checked~worker/http/auth.ts~s/if (!scopes\.includes(row\.scope))/if (false as boolean)/~test/worker/api.security.test.ts
token~operator token: not compared~worker/http/auth.ts~s/timingSafeEqual(token, c\.env\.PLATFORM_ADMIN_TOKEN)/token.length > 0/~test/worker/api.security.test.ts
# The console's sign-in and sessions: each check, removed, is caught by its own test.
console~session: CSRF token not compared~worker/http/console-auth.ts~s/if (!timingSafeEqual(c\.req\.header('x-csrf-token') ?? '', s\.csrfToken))/if (false as boolean)/~test/worker/console.sign-in.test.ts~CSRF
console~session: Origin not checked~worker/http/console-auth.ts~s/if (origin !== undefined \&\& origin !== new URL(c\.req\.url)\.origin)/if (false as boolean)/~test/worker/console.sign-in.test.ts~CSRF
console~session: idle expiry ignored~worker/domain/console/sessions.ts~s/gt(consoleSessionsTable\.idleExpiresAt, nowIso),//~test/worker/console.sign-in.test.ts~idle
console~connection callback finished in any browser~worker/domain/connections/oauth-connect.ts~s/^    assertSamePerson(authz, returning);/    if (false as boolean) assertSamePerson(authz, returning);/~test/worker/connections.oauth.test.ts~same person
console~session: absolute expiry ignored~worker/domain/console/sessions.ts~s/gt(consoleSessionsTable\.absoluteExpiresAt, nowIso),//~test/worker/console.sign-in.test.ts~idle
console~session: revoked sessions accepted~worker/domain/console/sessions.ts~s/^        isNull(consoleSessionsTable\.revokedAt),$//~test/worker/console.sign-in.test.ts~sign-out
console~session: a disabled member's session accepted~worker/domain/console/sessions.ts~s/if (row\.m\.state !== 'active' || /if (/~test/worker/console.members.test.ts~disabled
console~sign-in: state not bound to the browser (login CSRF)~worker/domain/console/sign-in.ts~s/eq(consoleSignInsTable\.browserHash, await sha256Hex(input\.browser)),//~test/worker/console.members.test.ts~browser that started
console~sign-in: any returnTo (open redirect)~worker/domain/console/sign-in.ts~s/^export function safeReturnTo(value: string | undefined): string | undefined {$/&\n  if (value) return value;/~test/worker/console.members.test.ts~returnTo
console~sign-in: another organisation admitted~worker/domain/console/sign-in.ts~s/if (proven \&\& proven\.toLowerCase() !== who\.organizationId\.toLowerCase())/if (false as boolean)/~test/worker/console.sign-in.test.ts~wrong_organization
console~sign-in: a used invitation let through at the start~worker/domain/console/invitations.ts~s/isNull(consoleInvitationsTable\.redeemedAt),//~test/worker/console.members.test.ts~redeemed once
console~sign-in: an invitation redeemed twice~worker/domain/console/sign-in.ts~s/isNull(consoleInvitationsTable\.redeemedAt),//~test/worker/console.members.test.ts~two sign-ins
console~sign-in: an invitation's email not compared~worker/domain/console/sign-in.ts~s/if (invitation\.email \&\& !sameEmail(invitation\.email, who\.email))/if (false as boolean)/~test/worker/console.members.test.ts~email
console~members: the last admin demoted~worker/domain/console/members.ts~s/\.\.\.(losesAdmin ? \[anotherActiveAdmin(input\.tenantId, before\.id)\] : \[\]),//~test/worker/console.members.test.ts~last admin
console~members: another firm's member found by id~worker/domain/console/members.ts~s/\.where(and(eq(consoleMembersTable\.id, memberId), eq(consoleMembersTable\.tenantId, tenantId)))/.where(eq(consoleMembersTable.id, memberId))/~test/worker/console.members.test.ts~firm A
console~members: a viewer manages members~shared/api/console.ts~s/'members:manage': \['admin'\],/'members:manage': ['admin', 'viewer'],/~test/worker/console.members.test.ts~viewer
console~id token: issuer not checked~worker/domain/identity/oidc.ts~s/issuer: expected\.issuer,//~test/worker/console.members.test.ts~iss
console~id token: audience not checked~worker/domain/identity/oidc.ts~s/audience: expected\.audience,//~test/worker/console.members.test.ts~aud
console~id token: expiry not checked~worker/domain/identity/oidc.ts~s/clockTolerance: CLOCK_TOLERANCE_S,/clockTolerance: 10 ** 9,/~test/worker/console.members.test.ts~exp
console~id token: nonce not compared~worker/domain/identity/oidc.ts~s/if (!timingSafeEqual(String(payload\.nonce), expected\.nonce))/if (false as boolean)/~test/worker/console.members.test.ts~nonce
console~id token: Salesforce subject not an identity URL~worker/domain/identity/salesforce-oidc.ts~s/if (!ids) throw invalidToken/if (false as boolean) throw invalidToken/~test/worker/console.members.test.ts~subject
EOF

# Failures that prove nothing about the mutant's behaviour: the broken copy did not even load.
LOAD_ERRORS='SyntaxError|Cannot find (module|package)|Failed to (load|resolve)|Transform failed|does not provide an export|is not exported'

run_one() {
  local i=$1 m=${MUTANTS[$(($1 - 1))]}
  local group name src expr testfile filter
  IFS='~' read -r group name src expr testfile filter <<<"$m"
  local dir out project
  dir=$(dirname "$src")
  out="$M/$i-$(basename "$src")"
  local rel=(-e "s#from '\.\./#from '$ROOT/$(dirname "$dir")/#g" -e "s#from '\./#from '$ROOT/$dir/#g")
  sed "${rel[@]}" -e "$expr" "$src" >"$out"
  if cmp -s <(sed "${rel[@]}" "$src") "$out"; then
    echo "$i. [$group] $name: MUTATION DID NOT APPLY (pattern not found in $src)"
    return
  fi
  case "$testfile" in
    test/node/* | test/reliability/node/*) project=reliability-node ;;
    *) project=reliability-worker-d1 ;;
  esac
  local files
  read -r -a files <<<"$testfile"
  local args=(-c test/reliability/vitest.reliability.config.ts --project "$project" "${files[@]}")
  [ -n "$filter" ] && args+=(-t "$filter")
  local log="$M/$i.log" where="$testfile${filter:+ ($filter)}"
  [ "$testfile" = "$TWO_FIRMS" ] && where="the two-firm suites"
  if HANDOFF_MUTANT="$src=>$ROOT/$out" npx vitest run "${args[@]}" >"$log" 2>&1; then
    echo "$i. [$group] $name: MISSED ($where passed)"
    return
  fi
  local clean reason
  clean=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
  if grep -qE '^ +Tests +[0-9]+ failed' <<<"$clean"; then
    reason=$(grep -m1 -E 'AssertionError|Property failed|^(Error|TypeError)' <<<"$clean" | cut -c1-200)
    echo "$i. [$group] $name: CAUGHT by $where -- $reason"
  elif grep -qE '^ FAIL ' <<<"$clean" && ! grep -qE "$LOAD_ERRORS" <<<"$clean"; then
    # The suite's own setup (beforeAll) failed under the mutant: the story it plays broke.
    reason=$(grep -m1 -E '^(Error|TypeError|AssertionError)' <<<"$clean" | cut -c1-200)
    echo "$i. [$group] $name: CAUGHT by $where (in its setup) -- $reason"
  else
    reason=$(grep -m1 -E '^(Error|SyntaxError|TypeError)|No test files|No test found' <<<"$clean" | cut -c1-200)
    echo "$i. [$group] $name: ERROR (no test failed; $where did not run) -- $reason"
  fi
}

if [ "${1:-}" = "--one" ]; then
  mkdir -p "$M"
  run_one "$2"
  exit 0
fi

jobs=1
selectors=()
while [ $# -gt 0 ]; do
  case "$1" in
    -j) jobs=$2; shift 2 ;;
    -l) for k in "${!MUTANTS[@]}"; do IFS='~' read -r g n _ <<<"${MUTANTS[$k]}"; echo "$((k + 1)). [$g] $n"; done; exit 0 ;;
    *) selectors+=("$1"); shift ;;
  esac
done

groups=" $(for m in "${MUTANTS[@]}"; do echo "${m%%~*}"; done | sort -u | tr '\n' ' ')"
chosen=()
for k in "${!MUTANTS[@]}"; do
  i=$((k + 1))
  IFS='~' read -r group name _ <<<"${MUTANTS[$k]}"
  keep=$([ ${#selectors[@]} -eq 0 ] && echo 1 || echo 0)
  for s in "${selectors[@]}"; do
    if [[ "$s" =~ ^[0-9]+$ ]]; then [ "$s" = "$i" ] && keep=1
    elif [[ "$s" =~ ^([0-9]+)-([0-9]+)$ ]]; then
      [ "$i" -ge "${BASH_REMATCH[1]}" ] && [ "$i" -le "${BASH_REMATCH[2]}" ] && keep=1
    elif [[ "$groups" == *" ${s,,} "* ]]; then [ "${s,,}" = "${group,,}" ] && keep=1
    elif [[ "${name,,}" == *"${s,,}"* ]]; then keep=1
    fi
  done
  [ "$keep" = 1 ] && chosen+=("$i")
done

mkdir -p "$M"
trap 'rm -rf "$M"; rmdir test/reliability/.mutants 2>/dev/null' EXIT
if [ "$jobs" -le 1 ]; then
  for i in "${chosen[@]}"; do run_one "$i"; done
else
  # Each mutant in its own vitest; lines are printed in order as soon as all before them are done.
  printf '%s\n' "${chosen[@]}" |
    HANDOFF_MUTANTS_DIR="$M" xargs -P "$jobs" -I{} bash -c "bash '$ROOT/test/reliability/mutants.sh' --one {} >'$M/{}.part' && mv '$M/{}.part' '$M/{}.out'" &
  pool=$!
  for i in "${chosen[@]}"; do
    while [ ! -e "$M/$i.out" ] && kill -0 "$pool" 2>/dev/null; do sleep 2; done
    cat "$M/$i.out" 2>/dev/null || echo "$i. no result (its run was interrupted)"
  done
  wait
fi
