"use client";

import { useActionState, useEffect, useId, useRef, useState } from "react";
import {
  type CreatedKey,
  type CreateKeyResult,
  createKeyFromForm,
} from "@/app/(dashboard)/keys/actions";
import type { KeyKind } from "@/lib/db/schema";
import {
  activityStartExample,
  demoCommand,
  javascriptSetupExample,
  proxyRunExample,
  pythonSetupExample,
  runpodRunExample,
  webhookUrl,
} from "@/lib/keys/examples";
import { CodeBlock } from "./code-block";
import { type CodeTab, CodeTabs } from "./code-tabs";
import { CopyButton } from "./copy-button";
import {
  ExpiryField,
  readExpiryFields,
  type SubmittedExpiry,
  submittedExpiry,
} from "./expiry-field";
import { SubmitButton } from "./submit-button";
import { useToast } from "./toast";

interface FormState {
  /** The newest key created on this page. */
  latest?: CreatedKey;
  /** The newest key of each kind, kept in this page's memory only, for the demo command. */
  byKind: Partial<Record<KeyKind, string>>;
  error?: Extract<CreateKeyResult, { ok: false }>;
  /** The fields as sent with a rejected request, shown again so nothing typed is lost. */
  submitted?: { kind: string; name: string; endpointIds: string; expiry: SubmittedExpiry };
}

function submittedFields(formData: FormData): NonNullable<FormState["submitted"]> {
  const text = (name: string) => {
    const value = formData.get(name);
    return typeof value === "string" ? value : "";
  };
  return {
    kind: text("kind") || "webhook",
    name: text("name"),
    endpointIds: text("endpointIds"),
    expiry: submittedExpiry(formData),
  };
}

const KIND_LABELS: Record<KeyKind, string> = { webhook: "webhook key", api: "API key" };

const fieldClass =
  "rounded-lg border border-zinc-700 bg-zinc-900 px-3 py-2 text-sm text-zinc-100 outline-none transition focus:border-runpod-light focus:ring-2 focus:ring-runpod-light/30 aria-invalid:border-red-500";

/**
 * Creates keys and shows each new key once. The plaintext lives only in this component's
 * state: it is never sent back to the server or put in a URL, and it is gone after the
 * page is left.
 */
export function CreateKeyForm({
  baseUrl,
  maxNameLength,
}: {
  baseUrl: string;
  maxNameLength: number;
}) {
  const toast = useToast();
  const [state, formAction, pending] = useActionState<FormState, FormData>(
    async (previous, formData) => {
      const expiry = readExpiryFields(formData);
      if ("error" in expiry) {
        return {
          ...previous,
          error: { ok: false, message: expiry.error, fieldErrors: { expiresAt: expiry.error } },
          submitted: submittedFields(formData),
        };
      }
      formData.set("expiresAt", expiry.expiresAt);
      const result = await createKeyFromForm(formData);
      if (!result.ok) {
        toast(`Creating the key failed: ${result.message}`, "error");
        return { ...previous, error: result, submitted: submittedFields(formData) };
      }
      toast(`Created ${KIND_LABELS[result.created.kind]} “${result.created.name}”.`);
      return {
        latest: result.created,
        byKind: { ...previous.byKind, [result.created.kind]: result.created.key },
      };
    },
    { byKind: {} },
  );
  const [hiddenKeyId, setHiddenKeyId] = useState<string>();
  const kindError = state.error?.fieldErrors?.kind;
  const nameError = state.error?.fieldErrors?.name;
  const expiryError = state.error?.fieldErrors?.expiresAt;
  const endpointsError = state.error?.fieldErrors?.endpointIds;
  const shown = state.latest && state.latest.id !== hiddenKeyId ? state.latest : undefined;

  return (
    <div className="flex flex-col gap-6">
      <form
        action={formAction}
        className="flex flex-col gap-4 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5 sm:flex-row sm:flex-wrap sm:items-end"
      >
        <div className="flex flex-col gap-1.5">
          <label htmlFor="key-kind" className="text-sm font-medium text-zinc-300">
            Kind
          </label>
          <select
            id="key-kind"
            name="kind"
            defaultValue={state.submitted?.kind ?? "webhook"}
            aria-invalid={kindError ? true : undefined}
            className={fieldClass}
          >
            <option value="webhook">Webhook key</option>
            <option value="api">API key</option>
          </select>
        </div>
        <div className="flex flex-1 flex-col gap-1.5">
          <label htmlFor="key-name" className="text-sm font-medium text-zinc-300">
            Name
          </label>
          <input
            id="key-name"
            name="name"
            type="text"
            maxLength={maxNameLength}
            defaultValue={state.submitted?.name}
            placeholder="e.g. sdxl endpoint, production"
            autoComplete="off"
            aria-invalid={nameError ? true : undefined}
            className={fieldClass}
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <label htmlFor="key-endpoints" className="text-sm font-medium text-zinc-300">
            Endpoints <span className="font-normal text-zinc-500">(webhook keys)</span>
          </label>
          <input
            id="key-endpoints"
            name="endpointIds"
            type="text"
            defaultValue={state.submitted?.endpointIds}
            placeholder="any, or ids separated by commas"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={endpointsError ? true : undefined}
            className={`${fieldClass} font-mono`}
          />
        </div>
        <ExpiryField invalid={Boolean(expiryError)} submitted={state.submitted?.expiry} />
        <SubmitButton pending={pending}>Create key</SubmitButton>
      </form>
      {state.error ? (
        <p
          role="alert"
          className="rounded-lg border border-red-500/40 bg-red-500/10 px-3 py-2 text-sm text-red-300"
        >
          {state.error.message}
        </p>
      ) : null}
      {shown ? (
        <NewKeyPanel
          key={shown.id}
          created={shown}
          baseUrl={baseUrl}
          byKind={state.byKind}
          onHide={() => setHiddenKeyId(shown.id)}
        />
      ) : null}
    </div>
  );
}

/** Returns the curl, Python and JavaScript setups for a new key. */
function setupTabs(created: CreatedKey, baseUrl: string, url: string | undefined): CodeTab[] {
  const input = { baseUrl, kind: created.kind, key: created.key };
  const curl: CodeTab = url
    ? {
        label: "curl",
        description: "Pass the URL in the webhook field of RunPod's /run call.",
        code: runpodRunExample(url),
      }
    : {
        label: "curl",
        description: "Call this after RunPod's /run returns, with the job id in place of JOB_ID.",
        code: activityStartExample(baseUrl, created.key),
      };
  const proxy: CodeTab[] =
    created.kind === "api"
      ? [
          {
            label: "Proxy",
            description:
              "Or submit through Chirp: it uses the RunPod API key saved in Settings, fills in the webhook and opens the card.",
            code: proxyRunExample(baseUrl, created.key),
            testId: "setup-proxy",
          },
        ]
      : [];
  return [
    curl,
    ...proxy,
    { label: "Python", code: pythonSetupExample(input), testId: "setup-python" },
    { label: "JavaScript", code: javascriptSetupExample(input), testId: "setup-javascript" },
  ];
}

/**
 * Shows a new key once, with a copy button and examples of its use. `title` replaces the
 * heading, for a key that was rerolled instead of created; `note` adds a line under it.
 * On mount the panel scrolls its heading and key into view and focuses the heading, so
 * keyboard and screen reader users land on the new key. Give each new key its own React
 * `key`, because the panel does this only when it mounts.
 */
export function NewKeyPanel({
  created,
  baseUrl,
  byKind,
  onHide,
  title,
  note,
}: {
  created: CreatedKey;
  baseUrl: string;
  byKind: FormState["byKind"];
  onHide: () => void;
  title?: string;
  note?: string;
}) {
  const url = created.kind === "webhook" ? webhookUrl(baseUrl, created.key) : undefined;
  const missingKind: KeyKind | undefined = !byKind.api
    ? "api"
    : !byKind.webhook
      ? "webhook"
      : undefined;

  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const keyIntroRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    headingRef.current?.focus({ preventScroll: true });
    // Scrolling one frame later lets a notice shown with the key set the page's scroll
    // padding first, so the key lands above the notice and not under it. The notice can
    // come later than that, so the part's bottom scroll margin also clears one notice.
    const frame = requestAnimationFrame(() => scrollIntoViewGently(keyIntroRef.current));
    return () => cancelAnimationFrame(frame);
  }, []);

  return (
    <section
      aria-labelledby={headingId}
      className="flex flex-col gap-5 rounded-2xl border border-emerald-500/40 bg-emerald-950/20 p-5"
    >
      {/* The part scrolled into view: the heading, the warning, the key and its copy
          button. Its 6rem top scroll margin clears the sticky page header, which is 59 px
          tall on a phone and 81 px from md up with the default fonts, and its 9rem bottom
          margin clears one notice. */}
      <div ref={keyIntroRef} className="flex scroll-mt-24 scroll-mb-36 flex-col gap-5">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <h2 id={headingId} ref={headingRef} tabIndex={-1} className="font-semibold">
              {title ?? `New ${KIND_LABELS[created.kind]}`} &ldquo;
              <span dir="auto" className="wrap-anywhere">
                {created.name}
              </span>
              &rdquo;
            </h2>
            {note ? <p className="mt-1 text-sm text-zinc-300">{note}</p> : null}
            <p className="mt-1 text-sm text-amber-300">
              Copy this key now. Chirp stores only a hash of it, so it can never be shown again.
            </p>
          </div>
          <button
            type="button"
            onClick={onHide}
            className="rounded-md border border-zinc-700 px-2.5 py-1 text-xs text-zinc-300 hover:border-zinc-500"
          >
            Hide
          </button>
        </div>

        <div className="theme-dark flex flex-wrap items-center gap-3 rounded-xl border border-zinc-800 bg-zinc-950 p-3">
          <code
            data-testid="new-key"
            className="min-w-0 flex-1 font-mono text-sm text-emerald-200 break-all select-all"
          >
            {created.key}
          </code>
          <CopyButton text={created.key} />
        </div>
      </div>

      {url ? (
        <div className="flex flex-col gap-2">
          <h3 className="text-sm font-medium">Webhook URL</h3>
          <p className="text-sm text-zinc-400">
            RunPod calls this URL when a job finishes. Click it to select it.
          </p>
          <CodeBlock code={url} testId="new-webhook-url" wrap />
        </div>
      ) : null}

      <div className="flex flex-col gap-2">
        <h3 className="text-sm font-medium">Submit a job and open its card</h3>
        <p className="text-sm text-zinc-400">
          Replace ENDPOINT_ID with your RunPod endpoint id. The scripts read{" "}
          <code className="font-mono">RUNPOD_API_KEY</code> and{" "}
          <code className="font-mono">{url ? "CHIRP_API_KEY" : "CHIRP_WEBHOOK_KEY"}</code> from the
          environment and contain this key.
        </p>
        <CodeTabs label="Setup examples" tabs={setupTabs(created, baseUrl, url)} />
      </div>

      <div className="flex flex-col gap-2">
        <h3 className="text-sm font-medium">Try the demo</h3>
        <p className="text-sm text-zinc-400">
          The demo submits jobs to a simulated RunPod and needs one key of each kind.
          {missingKind
            ? ` Create ${missingKind === "api" ? "an API key" : "a webhook key"} on this page too and it is filled in here.`
            : null}
        </p>
        <CodeBlock
          code={demoCommand({ apiKey: byKind.api, webhookKey: byKind.webhook, baseUrl })}
          copyLabel="Copy the demo command"
          testId="demo-command"
          wrap
        />
      </div>
    </section>
  );
}

/**
 * Scrolls an element into view by the shortest distance: smoothly, or at once for users
 * who ask for reduced motion.
 */
function scrollIntoViewGently(element: HTMLElement | null): void {
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  element?.scrollIntoView({ block: "nearest", behavior: reduceMotion ? "instant" : "smooth" });
}
