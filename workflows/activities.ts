import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { CommentSteps } from './comments/steps.js';
import type { CommitmentSteps, EvidenceSteps } from './deadlines/steps.js';
import type { InquirySteps } from './inquiry/steps.js';
import type { MailSteps } from './mail/steps.js';
import type { ReviewSteps } from './partnerships/steps.js';
import type { ReflectionSteps } from './reflections/steps.js';
import type { WebhookSteps } from './webhooks/steps.js';

/**
 * Every activity the workflows call, as each workflow declares it in its <domain>/steps.ts; the
 * worker's activities (activities/index.ts) must satisfy it, so a mismatch fails type-checking.
 */
export type Steps = ReviewSteps &
  ReflectionSteps &
  CommitmentSteps &
  EvidenceSteps &
  InquirySteps &
  MailSteps &
  CommentSteps &
  WebhookSteps;

const options = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
} as const;

/** The activities as the workflows call them: a minute each, retried with backoff until they succeed. */
export const activities = proxyActivities<Steps>(options);

const local = proxyLocalActivities<Steps>(options);

/** Marks the histories in which `steps()` runs local activities (before it, every step was an activity). */
const LOCAL_STEPS = 'local-steps';

/**
 * The steps of the workflows there are tens of thousands of (partnerships, commitments, evidence
 * requests) that follow from their plan, run as local activities: by the worker, inside the workflow
 * task that reaches them, their result recorded in that task's completion. An activity costs the
 * Temporal server a task to schedule, dispatch, start and complete, and the workflow a second task
 * to go on: most of the server's work per new partnership, deadline or reminder (bench:creation,
 * bench:burst in BENCHMARKS.md). A local activity whose workflow task fails runs again in the next
 * one, at that task's time: so only steps idempotent by their business key, whose outcome does not
 * depend on which attempt ran first, run this way (planNextReview uses the time only to plan a
 * review not yet written; once it is, every attempt finds it). What an update does stays an
 * activity: its arguments carry the time the update was accepted, part of its idempotency key, and
 * an activity's arguments are fixed once in the history. Outcomes are the exception (outcomeSteps).
 * Histories from before the marker ran every step as an activity, and replay as such.
 */
export const steps = () => (patched(LOCAL_STEPS) ? local : activities);

/** Marks the histories in which recording a review's outcome runs as a local activity. */
const LOCAL_OUTCOMES = 'local-outcomes';

/**
 * The step that records a review's outcome, which a person waits for: as a local activity it runs in
 * the workflow task that accepted the update, and the answer needs no activity task and no second
 * workflow task on the way (bench:api, one connection). A repeated attempt, in a later workflow
 * task, runs at another time: it knows the earlier one by the update's id, which it is given and
 * records (activities/reviews/outcomes.ts).
 */
export const outcomeSteps = () => (patched(LOCAL_OUTCOMES) ? local : activities);
