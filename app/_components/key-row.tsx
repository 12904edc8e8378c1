"use client";

import { type ReactNode, useActionState, useEffect, useState } from "react";
import {
  type CreatedKey,
  type KeyAuditResult,
  loadKeyAudit,
  type RerollKeyResult,
  rerollKeyFromForm,
  type SetEndpointsResult,
  type SetExpiryResult,
  type SetLimitResult,
  setKeyEndpointsFromForm,
  setKeyExpiryFromForm,
  setKeyLimitFromForm,
} from "@/app/(dashboard)/keys/actions";
import type { KeyKind } from "@/lib/db/schema";
import { describeAuditDetail } from "@/lib/keys/audit-detail";
import { NewKeyPanel } from "./create-key-form";
import {
  ExpiryField,
  readExpiryFields,
  type SubmittedExpiry,
  submittedExpiry,
} from "./expiry-field";
import { LocalTime } from "./local-time";
import { RevokeKeyButton } from "./revoke-key-button";
import { Spinner } from "./spinner";
import { useToast } from "./toast";

/** A key as the keys page passes it to the browser: times as ISO 8601 strings. */
export interface KeyRowData {
  id: string;
  kind: KeyKind;
  name: string;
  displayStart: string;
  createdAt: string;
  lastUsedAt: string | null;
  useCount: number;
  expiresAt: string | null;
  revokedAt: string | null;
  previousValidUntil: string | null;
  /** The limit in force, and whether it is the key's own or the server's default. */
  rateLimit: { perSecond: number; burst: number; ownLimit: boolean };
  /** The endpoints a webhook key may change cards of; null for any endpoint. */
  endpointIds: string[] | null;
}

type KeyStatus = "Active" | "Revoked" | "Expired";

function keyStatus(key: KeyRowData, now: number): KeyStatus {
  if (key.revokedAt) return "Revoked";
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return "Expired";
  return "Active";
}

const STATUS_CLASSES: Record<KeyStatus, string> = {
  Active: "border-emerald-500/40 bg-emerald-500/10 text-emerald-300",
  Revoked: "border-zinc-600 bg-zinc-800 text-zinc-400",
  Expired: "border-amber-500/40 bg-amber-500/10 text-amber-300",
};

const ACTION_LABELS: Record<string, string> = {
  create: "Created",
  reroll: "Rerolled",
  revoke: "Revoked",
  expiry_change: "Expiry changed",
  limit_change: "Rate limit changed",
  scope_change: "Endpoints changed",
  rejected_revoked: "Rejected: key revoked",
  rejected_expired: "Rejected: key expired",
  rejected_deleted: "Rejected: key deleted",
};

const GRACE_LABELS = { none: "Stops now", "1h": "1 hour", "24h": "24 hours" } as const;

const buttonClass =
  "rounded-md border border-zinc-700 px-2.5 py-1 text-xs font-medium text-zinc-300 transition hover:border-zinc-500 hover:text-zinc-50";
const primaryButtonClass =
  "inline-flex items-center justify-center gap-1.5 rounded-md bg-runpod px-2.5 py-1.5 text-xs font-medium text-white hover:bg-runpod-light disabled:cursor-wait disabled:opacity-60";
const selectClass =
  "rounded-lg border border-zinc-700 bg-zinc-900 px-3 py-2 text-sm text-zinc-100 outline-none focus:border-runpod-light";

type Panel = "reroll" | "expiry" | "limit" | "endpoints" | "audit" | undefined;

/** Formats a time in the browser's zone, as LocalTime shows it after hydration. */
function localTime(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
}

const cellClass = "block px-3 py-1 md:table-cell md:py-3 md:whitespace-nowrap";

/** Shows a cell's column name where the keys stack, because the header is hidden there. */
function MobileLabel({ children }: { children: ReactNode }) {
  return <span className="mr-1.5 text-xs text-zinc-400 md:hidden">{children}:</span>;
}

/** Names a history field where the events stack, because the header is hidden there. */
function AuditLabel({ children }: { children: ReactNode }) {
  return <span className="mr-1.5 font-sans text-zinc-400 sm:hidden">{children}</span>;
}

/**
 * Renders one key of the keys page: its row, its actions, and below it the panel of the action
 * in progress (reroll, expiry or audit trail). A rerolled key's new value is kept only in
 * this component's state, like a created key's.
 */
export function KeyRow({
  keyData,
  baseUrl,
  now,
}: {
  keyData: KeyRowData;
  baseUrl: string;
  now: number;
}) {
  const [panel, setPanel] = useState<Panel>();
  const [rerolled, setRerolled] = useState<{ created: CreatedKey; note: string }>();
  const status = keyStatus(keyData, now);
  const oldValueUntil =
    status === "Active" &&
    keyData.previousValidUntil &&
    Date.parse(keyData.previousValidUntil) > now
      ? keyData.previousValidUntil
      : undefined;
  const toggle = (next: Panel) => setPanel((current) => (current === next ? undefined : next));

  return (
    <>
      <tr
        data-testid="key-row"
        data-key-id={keyData.id}
        className={`block py-2 align-top md:table-row md:py-0 ${status === "Active" ? "" : "text-zinc-500"}`}
      >
        <td className="block px-3 py-1 md:table-cell md:max-w-64 md:py-3">
          <span dir="auto" className="block truncate font-medium" title={keyData.name}>
            {keyData.name}
          </span>
          <span className="mt-0.5 block text-xs text-zinc-400">
            {keyData.kind === "webhook" ? "Webhook key" : "API key"}
          </span>
          <code
            className="mt-0.5 block truncate font-mono text-xs text-zinc-400"
            title={`${keyData.displayStart} is the start of the key. The rest is never shown again.`}
          >
            {keyData.displayStart}
          </code>
          <span className="mt-0.5 block text-xs text-zinc-400" data-testid="key-rate-limit">
            {keyData.rateLimit.perSecond}/s, burst {keyData.rateLimit.burst}
            {keyData.rateLimit.ownLimit ? "" : " (default)"}
          </span>
          {keyData.kind === "webhook" ? (
            <span
              className="mt-0.5 block truncate text-xs text-zinc-400"
              data-testid="key-endpoints"
              title={keyData.endpointIds?.join(", ")}
            >
              {keyData.endpointIds === null
                ? "Any endpoint"
                : `Endpoints: ${keyData.endpointIds.join(", ")}`}
            </span>
          ) : null}
        </td>
        <td className={cellClass}>
          <MobileLabel>Created</MobileLabel>
          <LocalTime iso={keyData.createdAt} />
        </td>
        <td className={cellClass}>
          <MobileLabel>Last used</MobileLabel>
          {keyData.lastUsedAt ? <LocalTime iso={keyData.lastUsedAt} /> : "Never"}
        </td>
        <td className={`${cellClass} tabular-nums md:text-right`}>
          <MobileLabel>Uses</MobileLabel>
          {keyData.useCount}
        </td>
        <td className={cellClass}>
          <MobileLabel>Expires</MobileLabel>
          {keyData.expiresAt ? <LocalTime iso={keyData.expiresAt} /> : "Never"}
        </td>
        <td className="block px-3 py-1 md:table-cell md:py-3">
          <span
            className={`inline-block rounded-full border px-2 py-0.5 text-xs font-medium ${STATUS_CLASSES[status]}`}
          >
            {status}
          </span>
          {oldValueUntil ? (
            <span className="mt-1 block text-xs text-amber-300" data-testid="old-value-until">
              Old value valid until <LocalTime iso={oldValueUntil} />
            </span>
          ) : null}
        </td>
        <td className="block px-3 py-2 md:table-cell md:py-3">
          <div className="flex flex-wrap gap-1.5 md:justify-end">
            {status === "Active" ? (
              <button type="button" className={buttonClass} onClick={() => toggle("reroll")}>
                Reroll
              </button>
            ) : null}
            {status !== "Revoked" ? (
              <button type="button" className={buttonClass} onClick={() => toggle("expiry")}>
                Set expiry
              </button>
            ) : null}
            {status !== "Revoked" ? (
              <button
                type="button"
                className={buttonClass}
                aria-expanded={panel === "limit"}
                onClick={() => toggle("limit")}
              >
                Rate limit
              </button>
            ) : null}
            {status !== "Revoked" && keyData.kind === "webhook" ? (
              <button
                type="button"
                className={buttonClass}
                aria-expanded={panel === "endpoints"}
                onClick={() => toggle("endpoints")}
              >
                Endpoints
              </button>
            ) : null}
            <button
              type="button"
              className={buttonClass}
              aria-expanded={panel === "audit"}
              onClick={() => toggle("audit")}
            >
              History
            </button>
            {status === "Revoked" ? null : (
              <RevokeKeyButton keyId={keyData.id} keyName={keyData.name} />
            )}
          </div>
        </td>
      </tr>
      {panel || rerolled ? (
        <tr className="block bg-zinc-900/40 md:table-row">
          <td colSpan={7} className="block px-3 py-4 md:table-cell">
            {/* Zero width with a full minimum keeps long snippets from widening the table:
                they scroll inside their own blocks instead. */}
            <div className="flex w-0 min-w-full flex-col gap-4">
              {rerolled ? (
                <NewKeyPanel
                  key={rerolled.created.key}
                  created={rerolled.created}
                  baseUrl={baseUrl}
                  byKind={{ [rerolled.created.kind]: rerolled.created.key }}
                  onHide={() => setRerolled(undefined)}
                  title={`Rerolled ${rerolled.created.kind === "webhook" ? "webhook key" : "API key"}`}
                  note={rerolled.note}
                />
              ) : null}
              {panel === "reroll" ? (
                <RerollForm
                  keyId={keyData.id}
                  onDone={(result) => {
                    setPanel(undefined);
                    setRerolled(result);
                  }}
                  onCancel={() => setPanel(undefined)}
                />
              ) : null}
              {panel === "expiry" ? (
                <ExpiryForm keyId={keyData.id} onDone={() => setPanel(undefined)} />
              ) : null}
              {panel === "limit" ? (
                <LimitForm
                  keyId={keyData.id}
                  limit={keyData.rateLimit}
                  onDone={() => setPanel(undefined)}
                />
              ) : null}
              {panel === "endpoints" ? (
                <EndpointsForm
                  keyId={keyData.id}
                  endpointIds={keyData.endpointIds}
                  onDone={() => setPanel(undefined)}
                />
              ) : null}
              {panel === "audit" ? <AuditTrail keyId={keyData.id} /> : null}
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}

function RerollForm({
  keyId,
  onDone,
  onCancel,
}: {
  keyId: string;
  onDone: (result: { created: CreatedKey; note: string }) => void;
  onCancel: () => void;
}) {
  const toast = useToast();
  const [result, formAction, pending] = useActionState<RerollKeyResult | null, FormData>(
    async (_previous, formData) => {
      const outcome = await rerollKeyFromForm(formData);
      toast(
        outcome.ok ? "Key rerolled." : `Rerolling the key failed: ${outcome.message}`,
        outcome.ok ? "success" : "error",
      );
      if (outcome.ok) {
        const note = outcome.previousValidUntil
          ? `The old value keeps working until ${localTime(outcome.previousValidUntil)}; update everything that uses it before then.`
          : "The old value stopped working now.";
        onDone({ created: outcome.created, note });
      }
      return outcome;
    },
    null,
  );
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3" aria-label="Reroll key">
      <input type="hidden" name="keyId" value={keyId} />
      <div className="flex flex-col gap-1.5">
        <label htmlFor={`grace-${keyId}`} className="text-sm font-medium text-zinc-300">
          Old value keeps working
        </label>
        <select id={`grace-${keyId}`} name="grace" defaultValue="1h" className={selectClass}>
          {Object.entries(GRACE_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={pending} aria-busy={pending} className={primaryButtonClass}>
        {pending ? <Spinner /> : null}
        Confirm reroll
      </button>
      <button type="button" onClick={onCancel} disabled={pending} className={buttonClass}>
        Cancel
      </button>
      <p className="basis-full text-xs text-zinc-400">
        A new value replaces the key; its id, kind and name stay the same.
      </p>
      {result && !result.ok ? (
        <p role="alert" className="basis-full text-sm text-red-400">
          {result.message}
        </p>
      ) : null}
    </form>
  );
}

function ExpiryForm({ keyId, onDone }: { keyId: string; onDone: () => void }) {
  const toast = useToast();
  const [result, formAction, pending] = useActionState<
    (SetExpiryResult & { submitted: SubmittedExpiry }) | null,
    FormData
  >(async (_previous, formData) => {
    const submitted = submittedExpiry(formData);
    const expiry = readExpiryFields(formData);
    if ("error" in expiry) return { ok: false, message: expiry.error, submitted };
    formData.set("expiresAt", expiry.expiresAt);
    const outcome = await setKeyExpiryFromForm(formData);
    toast(
      outcome.ok ? "Expiry saved." : `Saving the expiry failed: ${outcome.message}`,
      outcome.ok ? "success" : "error",
    );
    if (outcome.ok) onDone();
    return { ...outcome, submitted };
  }, null);
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3" aria-label="Set expiry">
      <input type="hidden" name="keyId" value={keyId} />
      <ExpiryField
        label="Expires"
        invalid={Boolean(result && !result.ok)}
        submitted={result?.submitted}
      />
      <button type="submit" disabled={pending} aria-busy={pending} className={primaryButtonClass}>
        {pending ? <Spinner /> : null}
        Save expiry
      </button>
      <button type="button" onClick={onDone} disabled={pending} className={buttonClass}>
        Cancel
      </button>
      {result && !result.ok ? (
        <p role="alert" className="basis-full text-sm text-red-400">
          {result.message}
        </p>
      ) : null}
    </form>
  );
}

const numberFieldClass = `${selectClass} w-28 aria-invalid:border-red-500`;

function NumberField({
  id,
  name,
  label,
  defaultValue,
  invalid,
}: {
  id: string;
  name: string;
  label: string;
  defaultValue: number | string;
  invalid: boolean;
}) {
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="text-sm font-medium text-zinc-300">
        {label}
      </label>
      <input
        id={id}
        name={name}
        inputMode="numeric"
        defaultValue={defaultValue}
        aria-invalid={invalid ? true : undefined}
        className={numberFieldClass}
      />
    </div>
  );
}

/**
 * Renders a form of a key's settings panel: the fields, a Cancel button, a hint and the
 * error of the last attempt. `children` renders the fields and submit buttons.
 */
function SettingsForm<Result extends { ok: true } | { ok: false; message: string }>({
  label,
  keyId,
  action,
  onDone,
  hint,
  children,
}: {
  label: string;
  keyId: string;
  action: (formData: FormData) => Promise<Result>;
  onDone: () => void;
  hint: string;
  children: (state: { pending: boolean; failure?: Extract<Result, { ok: false }> }) => ReactNode;
}) {
  const [result, formAction, pending] = useActionState<Result | null, FormData>(
    async (_previous, formData) => {
      const outcome = await action(formData);
      if (outcome.ok) onDone();
      return outcome;
    },
    null,
  );
  const failure = result && !result.ok ? (result as Extract<Result, { ok: false }>) : undefined;
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3" aria-label={label}>
      <input type="hidden" name="keyId" value={keyId} />
      {children({ pending, failure })}
      <button type="button" onClick={onDone} disabled={pending} className={buttonClass}>
        Cancel
      </button>
      <p className="basis-full text-xs text-zinc-400">{hint}</p>
      {failure ? (
        <p role="alert" className="basis-full text-sm text-red-400">
          {failure.message}
        </p>
      ) : null}
    </form>
  );
}

function LimitForm({
  keyId,
  limit,
  onDone,
}: {
  keyId: string;
  limit: KeyRowData["rateLimit"];
  onDone: () => void;
}) {
  return (
    <SettingsForm<SetLimitResult>
      label="Rate limit"
      keyId={keyId}
      action={setKeyLimitFromForm}
      onDone={onDone}
      hint="Requests beyond the burst, and beyond the rate once the burst is spent, get 429 with Retry-After. RunPod retries a failed webhook call up to twice, so allow about three calls per job."
    >
      {({ pending, failure }) => (
        <>
          <NumberField
            id={`rate-${keyId}`}
            name="rateLimitPerSecond"
            label="Requests per second"
            defaultValue={failure?.submitted?.rateLimitPerSecond ?? limit.perSecond}
            invalid={Boolean(failure?.fieldErrors?.rateLimitPerSecond)}
          />
          <NumberField
            id={`burst-${keyId}`}
            name="rateLimitBurst"
            label="Burst"
            defaultValue={failure?.submitted?.rateLimitBurst ?? limit.burst}
            invalid={Boolean(failure?.fieldErrors?.rateLimitBurst)}
          />
          <SubmitButtons
            pending={pending}
            save={{ label: "Save limit", mode: "custom" }}
            reset={limit.ownLimit ? { label: "Use server default", mode: "default" } : undefined}
          />
        </>
      )}
    </SettingsForm>
  );
}

/** Renders the submit button of a settings form, and optionally one that resets the setting. */
function SubmitButtons({
  pending,
  save,
  reset,
}: {
  pending: boolean;
  save: { label: string; mode: string };
  reset?: { label: string; mode: string };
}) {
  return (
    <>
      <button
        type="submit"
        name="mode"
        value={save.mode}
        disabled={pending}
        aria-busy={pending}
        className={primaryButtonClass}
      >
        {pending ? <Spinner /> : null}
        {save.label}
      </button>
      {reset ? (
        <button
          type="submit"
          name="mode"
          value={reset.mode}
          disabled={pending}
          className={buttonClass}
        >
          {reset.label}
        </button>
      ) : null}
    </>
  );
}

function EndpointsForm({
  keyId,
  endpointIds,
  onDone,
}: {
  keyId: string;
  endpointIds: string[] | null;
  onDone: () => void;
}) {
  return (
    <SettingsForm<SetEndpointsResult>
      label="Endpoints"
      keyId={keyId}
      action={setKeyEndpointsFromForm}
      onDone={onDone}
      hint="A delivery for a card on another endpoint, or for a job with no card yet, is recorded and answered 200 but changes no card; the delivery log says why."
    >
      {({ pending, failure }) => (
        <>
          <div className="flex min-w-72 flex-1 flex-col gap-1.5">
            <label htmlFor={`endpoints-${keyId}`} className="text-sm font-medium text-zinc-300">
              RunPod endpoint ids
            </label>
            <input
              id={`endpoints-${keyId}`}
              name="endpointIds"
              defaultValue={failure?.submitted ?? endpointIds?.join(", ") ?? ""}
              placeholder="isxbq1e254mbjz, …"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={failure ? true : undefined}
              className={`${selectClass} font-mono aria-invalid:border-red-500`}
            />
          </div>
          <SubmitButtons
            pending={pending}
            save={{ label: "Save endpoints", mode: "list" }}
            reset={endpointIds !== null ? { label: "Allow any endpoint", mode: "any" } : undefined}
          />
        </>
      )}
    </SettingsForm>
  );
}

function AuditTrail({ keyId }: { keyId: string }) {
  // The trail loads each time the panel opens, so the page does not read every key's
  // history and a reopened panel shows the latest changes.
  const [state, setState] = useState<KeyAuditResult | null>(null);
  useEffect(() => {
    let current = true;
    loadKeyAudit(keyId).then(
      (result) => {
        if (current) setState(result);
      },
      () => {
        if (current) {
          setState({ ok: false, message: "Loading the history failed; reopen it to try again." });
        }
      },
    );
    return () => {
      current = false;
    };
  }, [keyId]);

  if (state === null) {
    return (
      <p className="flex items-center gap-2 text-sm text-zinc-400">
        <Spinner /> Loading history…
      </p>
    );
  }
  if (!state.ok) {
    return (
      <p role="alert" className="text-sm text-red-400">
        {state.message}
      </p>
    );
  }
  if (state.events.length === 0) {
    return (
      <p className="text-sm text-zinc-400">
        No history yet: keys created before the history was kept show changes from now on.
      </p>
    );
  }
  return (
    // Below the sm breakpoint each event is a stacked block (time and action, then actor,
    // address and detail), so emails stay whole and the detail stays on screen.
    <table className="block w-full text-left text-xs sm:table" data-testid="key-audit">
      <caption className="mb-2 block text-left text-sm font-medium text-zinc-300 sm:table-caption">
        History
      </caption>
      <thead className="hidden text-zinc-400 sm:table-header-group">
        <tr>
          <th scope="col" className="py-1 pr-3 font-medium">
            Time
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Action
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Actor
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            IP
          </th>
          <th scope="col" className="py-1 font-medium">
            Detail
          </th>
        </tr>
      </thead>
      <tbody className="block divide-y divide-zinc-800 sm:table-row-group">
        {state.events.map((row) => {
          const detail = describeAuditDetail(row.action, row.detail, localTime);
          return (
            <tr
              key={row.id}
              data-testid="audit-event"
              className="flex flex-wrap gap-x-2 py-2 sm:table-row sm:py-0"
            >
              <td className="text-zinc-400 sm:table-cell sm:py-1 sm:pr-3 sm:whitespace-nowrap sm:text-inherit">
                <LocalTime iso={row.at} />
              </td>
              <td
                className="font-medium sm:table-cell sm:py-1 sm:pr-3 sm:font-normal"
                data-testid="audit-action"
              >
                {ACTION_LABELS[row.action] ?? row.action}
              </td>
              <td className="basis-full wrap-anywhere sm:table-cell sm:py-1 sm:pr-3">
                <AuditLabel>By</AuditLabel>
                <span title={row.actor} data-testid="audit-actor">
                  {row.actorName}
                </span>
              </td>
              <td className="basis-full font-mono sm:table-cell sm:py-1 sm:pr-3">
                <AuditLabel>IP</AuditLabel>
                {row.ip ?? "—"}
              </td>
              <td
                className={`basis-full wrap-break-word sm:table-cell sm:py-1 ${detail ? "" : "hidden"}`}
                data-testid="audit-detail"
              >
                {detail}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
