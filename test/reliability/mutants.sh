#!/usr/bin/env bash
# Mutation checks: each line breaks one property on purpose (in a copy of the module, swapped in through
# HANDOFF_MUTANT; the source is never edited) and runs the test that must catch it. Prints CAUGHT or MISSED.
#   bash test/reliability/mutants.sh            (all)     bash test/reliability/mutants.sh 3   (one)
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
M=test/reliability/.mutants
mkdir -p "$M"
trap 'rm -rf "$M"' EXIT

# name ~ source ~ sed expression ~ import specifier regex (its end) ~ test file
MUTANTS=(
  "idempotency ignores the fingerprint~worker/http/idempotency.ts~s/} else if (existing.fingerprint !== fingerprint) {/} else if (false as boolean) {/~http/idempotency\$~test/reliability/worker/idempotency.property.test.ts"
  "idempotency keys shared across tenants~worker/http/idempotency.ts~s/const id = { tenantId: p.tenantId, principal: p.keyId,/const id = { tenantId: 'everyone', principal: 'everyone',/~http/idempotency\$~test/reliability/worker/idempotency.property.test.ts"
  "posting line key not stable across redeliveries~worker/queues/posting-consumer.ts~s/=> \`hoff-\${tenantId}-\${itemId.replace(':', '-')}\`;/=> \`hoff-\${tenantId}-\${itemId.replace(':', '-')}-\${crypto.randomUUID().slice(0, 8)}\`;/~queues/posting-consumer\$~test/reliability/worker/queue-chaos.test.ts"
  "posting consumer acks before storing the outcome~worker/queues/posting-consumer.ts~s/if (result.ok || !result.retryable) p.msg.ack();/p.msg.ack(); if (false as boolean) {}/~queues/posting-consumer\$~test/reliability/worker/queue-chaos.test.ts"
  "activation step keys not derived from (activation, step)~worker/workflows/activation.ts~s/const key = (name: string) => \`\${p.activationId}:\${name}\`;/const key = (name: string) => \`\${p.activationId}:\${name}:\${crypto.randomUUID()}\`;/~workflows/activation\$~test/reliability/worker/step-faults.test.ts"
  "T&M cap not enforced~worker/domain/billing/rules.ts~s/if (model.notToExceed \&\& ctx.billedTime/if (false \&\& model.notToExceed \&\& ctx.billedTime/~billing/rules\$~test/reliability/node/billing-rules.property.test.ts"
  "amounts rounded down instead of half-up~worker/domain/billing/rules.ts~s/(rest \* 2 >= perMinuteDivisor ? 1 : 0)/0/~billing/rules\$~test/reliability/node/billing-rules.property.test.ts"
  "webhook timestamp window ignored~worker/connectors/kantata/webhook.ts~s/Math.abs(now - ts) > (opts.toleranceSeconds ?? TOLERANCE_SECONDS)/false/~kantata/webhook\$~test/reliability/node/standard-webhooks.property.test.ts"
  "webhook: any v1 signature accepted if one parses~worker/connectors/kantata/webhook.ts~s/if (sigBytes \&\& (await crypto.subtle.verify('HMAC', cryptoKey, sigBytes, signed))) valid = true;/if (sigBytes \&\& sigBytes.length === 32) valid = true;/~kantata/webhook\$~test/reliability/node/standard-webhooks.property.test.ts"
  "sweep launches a new workflow instance on every tick~worker/domain/maintenance/sweep.ts~s/paramsOf(row, row.requestedBy ?? 'handoff'), row.workflowInstanceId);/paramsOf(row, row.requestedBy ?? 'handoff'), \`\${row.workflowInstanceId}-\${crypto.randomUUID().slice(0, 6)}\`);/~maintenance/sweep\$~test/reliability/worker/outbox.test.ts"
  "allocate drops the remainder~shared/model/money.ts~s/if (left === 0n) break;/break;/~model/money\$~test/reliability/node/money.property.test.ts"
)

only=${1:-}
i=0
for m in "${MUTANTS[@]}"; do
  i=$((i + 1))
  [ -n "$only" ] && [ "$only" != "$i" ] && continue
  IFS='~' read -r name src expr regex testfile <<<"$m"
  dir=$(dirname "$src")
  out="$M/$i-$(basename "$src")"
  sed -e "s#from '\.\./#from '$ROOT/$(dirname "$dir")/#g" -e "s#from '\./#from '$ROOT/$dir/#g" -e "$expr" "$src" >"$out"
  if cmp -s <(sed -e "s#from '\.\./#from '$ROOT/$(dirname "$dir")/#g" -e "s#from '\./#from '$ROOT/$dir/#g" "$src") "$out"; then
    echo "$i. $name: MUTATION DID NOT APPLY (pattern not found)"
    continue
  fi
  if HANDOFF_MUTANT="^.*$regex=>$ROOT/$out" npx vitest run -c test/reliability/vitest.reliability.config.ts "$testfile" >"$M/$i.log" 2>&1; then
    echo "$i. $name: MISSED ($testfile passed)"
  else
    clean=$(sed 's/\x1b\[[0-9;]*m//g' "$M/$i.log")
    reason=$(grep -m1 -E 'AssertionError|Property failed' <<<"$clean" || grep -m1 -E '^(Error|SyntaxError)' <<<"$clean")
    reason=$(cut -c1-240 <<<"$reason")
    echo "$i. $name: CAUGHT by $testfile -- $reason"
  fi
done
