/**
 * Every Lambda entry point in functions/, once: the stacks deploy from it, the bundle test and
 * `npm run bench` measure from it. Deliberately free of aws-cdk-lib so the bench can import it cheaply.
 *
 * Adding a function: one line here, then `this.addFunction(...)` in infra/stateless-stack.ts.
 * The infra tests fail if a file in functions/ is missing here or is not deployed.
 */
export interface FunctionSpec {
  /** Entry file, relative to the repository root. */
  readonly entry: string;
  /** Budget for the minified ESM bundle (the AWS SDK v3 is external: it ships with the runtime). */
  readonly bundleBudgetKb: number;
  /** One line for the Lambda console and the README. */
  readonly description: string;
}

/**
 * Powertools Tracer (with the X-Ray SDK it drives) and Metrics add about 135 KB to every bundle
 * (measured: twilio-sms-webhook 296 → 430 KB); the budgets below carry it, still far under 1 MB.
 */
const OBSERVABILITY_KB = 150;

export const FUNCTIONS = {
  'twilio-sms-webhook': {
    entry: 'functions/twilio-sms-webhook.ts',
    bundleBudgetKb: 400 + OBSERVABILITY_KB,
    description: 'POST /webhooks/twilio/sms: one inbound SMS, one conversation turn, a TwiML reply',
  },
  'twilio-status-webhook': {
    entry: 'functions/twilio-status-webhook.ts',
    bundleBudgetKb: 400 + OBSERVABILITY_KB,
    description: "POST /webhooks/twilio/status: Twilio's delivery status callbacks",
  },
  'wechat-webhook': {
    entry: 'functions/wechat-webhook.ts',
    bundleBudgetKb: 400 + OBSERVABILITY_KB,
    description:
      'GET/POST /webhooks/wechat: WeChat server check, one message (plain or safe mode), a passive reply within 5 s',
  },
  'aliyun-sms-webhook': {
    entry: 'functions/aliyun-sms-webhook.ts',
    bundleBudgetKb: 400 + OBSERVABILITY_KB,
    description:
      "POST /webhooks/aliyun-sms/{up,report}/{secret}: Alibaba Cloud's pushes of carers' replies (conversation turns, replies by template) and delivery receipts",
  },
  'tencent-sms-webhook': {
    entry: 'functions/tencent-sms-webhook.ts',
    bundleBudgetKb: 400 + OBSERVABILITY_KB,
    description:
      "POST /webhooks/tencent-sms/{reply,status}/{secret}: Tencent Cloud's callbacks of a carer's reply (a conversation turn, replies by template) and delivery status",
  },
  'send-worker': {
    entry: 'functions/send-worker.ts',
    // Twilio, Alibaba Cloud and Tencent Cloud each go by a small signed client of their send API over
    // Node https, not their SDKs (which were 1.5 MB of it): 402 KB measured, down from 1,893 KB.
    bundleBudgetKb: 300 + OBSERVABILITY_KB,
    description:
      'The send queue worker: quiet hours, loop guard, then Twilio or WeChat (SMS fallback); partial batch failures',
  },
  'coordinator-api': {
    entry: 'functions/coordinator-api.ts',
    // Not on a latency-critical path like the webhooks: it carries the roster import, the send path,
    // Cognito's client (invitations) and S3's presigner (export links); 658 KB measured.
    bundleBudgetKb: 550 + OBSERVABILITY_KB,
    description:
      "ANY /api/{proxy+}: the coordinators' API (roster, alerts and tasks, messages for the child, broadcasts, check-in export and summary), centre-scoped by the JWT's claims",
  },
  'scheduler-tick': {
    entry: 'functions/scheduler-tick.ts',
    bundleBudgetKb: 400 + OBSERVABILITY_KB,
    description:
      'Every 5 minutes: what is due now (invitations, reminders, deadlines, parents, alert and task follow-ups, broadcasts) from the due index',
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
