import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { CodeBlock } from "@/app/_components/code-block";
import { LocalTime } from "@/app/_components/local-time";
import { ReplayDeliveryButton } from "@/app/_components/replay-delivery-button";
import { getActivity } from "@/lib/activities/store";
import { publicBaseUrl } from "@/lib/config";
import {
  curlCommand,
  describeReplay,
  formatBytes,
  prettyJson,
  responseLabel,
  stateLabel,
} from "@/lib/deliveries/format";
import { getDelivery, listDeliveryReplays } from "@/lib/deliveries/queries";
import { requireSession } from "../../session";

export const metadata: Metadata = { title: "Delivery" };

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-0.5 sm:flex-row sm:gap-4">
      <dt className="w-36 shrink-0 text-zinc-400">{label}</dt>
      <dd className="min-w-0 wrap-anywhere">{children}</dd>
    </div>
  );
}

const NONE = <span className="text-zinc-500">—</span>;

export default async function DeliveryPage({ params }: { params: Promise<{ id: string }> }) {
  const { accountId } = await requireSession();
  const { id } = await params;
  const delivery = await getDelivery({ accountId, deliveryId: decodeURIComponent(id) });
  if (!delivery) notFound();

  const activity = delivery.activityId
    ? await getActivity({ accountId, activityId: delivery.activityId })
    : undefined;
  const replays = await listDeliveryReplays({ accountId, deliveryId: delivery.id });
  const pretty = prettyJson(delivery);
  const headers = Object.entries(delivery.headers).sort(([a], [b]) => a.localeCompare(b));
  const replayBlockedReason =
    delivery.statusObject === null
      ? `This delivery was rejected with ${responseLabel(delivery)}, so Chirp kept no status object to replay. Fix the cause, then have the job's status object sent again.`
      : undefined;

  return (
    <div className="flex flex-col gap-8">
      <div>
        <Link href="/deliveries" className="text-sm text-violet-300 hover:underline">
          ← Deliveries
        </Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">
          Delivery <code className="font-mono text-xl">{delivery.id}</code>
        </h1>
      </div>

      <section aria-labelledby="delivery-fields-heading">
        <h2 id="delivery-fields-heading" className="sr-only">
          Fields
        </h2>
        <dl className="flex flex-col gap-2 rounded-2xl border border-zinc-800 p-4 text-sm">
          <Field label="Received">
            <LocalTime iso={delivery.receivedAt.toISOString()} />
          </Field>
          <Field label="Key">
            {delivery.keyName === null ? (
              <span className="text-zinc-500 italic">deleted key</span>
            ) : (
              <span dir="auto">{delivery.keyName}</span>
            )}
          </Field>
          <Field label="Response">
            <span data-testid="delivery-response" className="font-mono">
              {responseLabel(delivery)}
            </span>
          </Field>
          {delivery.note ? (
            <Field label="Not applied">
              <span data-testid="delivery-note" className="text-amber-300">
                {delivery.note}
              </span>
            </Field>
          ) : null}
          {replays.length > 0 ? (
            <Field label="Replayed">
              <ul data-testid="delivery-replays" className="flex flex-col gap-0.5">
                {replays.map((event) => {
                  const outcome = describeReplay(event);
                  return (
                    <li key={event.id} id={`replay-${event.id}`} className="scroll-mt-24">
                      <LocalTime iso={event.createdAt.toISOString()} />:{" "}
                      {outcome.applied ? "applied" : "not applied"}, {outcome.summary}
                    </li>
                  );
                })}
              </ul>
            </Field>
          ) : null}
          <Field label="Job id">
            {delivery.jobId ? <code className="font-mono">{delivery.jobId}</code> : NONE}
          </Field>
          <Field label="RunPod status">
            {delivery.runpodStatus ? (
              <code className="font-mono">{delivery.runpodStatus}</code>
            ) : (
              NONE
            )}
          </Field>
          <Field label="Card">
            {activity ? (
              <Link
                href={`/activities/${activity.id}`}
                data-testid="delivery-card-link"
                className="text-violet-300 hover:underline"
              >
                {activity.jobName ?? activity.key} ({stateLabel(activity.state)})
              </Link>
            ) : delivery.activityId ? (
              <span className="text-zinc-500">
                The card {delivery.activityId} no longer exists.
              </span>
            ) : (
              <span className="text-zinc-500">No card was touched.</span>
            )}
          </Field>
          <Field label="Content type">
            {delivery.contentType ? (
              <code className="font-mono">{delivery.contentType}</code>
            ) : (
              NONE
            )}
          </Field>
          <Field label="Size">
            {formatBytes(delivery.bodyBytes)} ({delivery.bodyBytes.toLocaleString("en-US")} bytes)
          </Field>
          <Field label="SHA-256">
            <code className="font-mono text-xs">{delivery.bodySha256}</code>
          </Field>
        </dl>
      </section>

      <section aria-labelledby="replay-heading" className="flex flex-col gap-2">
        <h2 id="replay-heading" className="text-lg font-semibold">
          Replay
        </h2>
        <p className="max-w-3xl text-sm text-zinc-400">
          Applies this delivery&apos;s status object to its card again, as a live delivery would,
          except that the key&apos;s endpoint limit does not apply: a replay is your own decision. A
          closed card stays as it is; the replay is recorded as an event.
        </p>
        <ReplayDeliveryButton deliveryId={delivery.id} disabledReason={replayBlockedReason} />
      </section>

      <section aria-labelledby="headers-heading">
        <h2 id="headers-heading" className="mb-3 text-lg font-semibold">
          Headers
        </h2>
        <p className="mb-3 text-sm text-zinc-400">
          Credentials are not stored, and keys in header values are redacted.
        </p>
        {/* Names stay on one line. Below the sm breakpoint each name sits over its value,
            so values get the full width and wrap at spaces, breaking inside a word only
            where the word is longer than the line. */}
        <div className="overflow-x-auto rounded-2xl border border-zinc-800">
          <table className="block w-full text-left text-sm sm:table" data-testid="delivery-headers">
            <tbody className="block divide-y divide-zinc-800 sm:table-row-group">
              {headers.map(([name, value]) => (
                <tr key={name} className="block sm:table-row">
                  <th
                    scope="row"
                    className="block px-3 pt-2 font-mono text-xs font-normal whitespace-nowrap text-zinc-400 sm:table-cell sm:w-64 sm:pb-2 sm:align-top"
                  >
                    {name}
                  </th>
                  <td className="block px-3 pt-0.5 pb-2 font-mono text-xs wrap-anywhere sm:table-cell sm:pt-2">
                    {value}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="body-heading">
        <h2 id="body-heading" className="mb-3 text-lg font-semibold">
          Body
        </h2>
        {delivery.bodyTruncated ? (
          <p role="note" data-testid="body-truncated" className="mb-3 text-sm text-amber-300">
            Truncated: the first {formatBytes(Buffer.byteLength(delivery.body))} of{" "}
            {formatBytes(delivery.bodyBytes)} are stored. The full body was{" "}
            {delivery.bodyBytes.toLocaleString("en-US")} bytes with SHA-256{" "}
            <code className="font-mono text-xs break-all">{delivery.bodySha256}</code>.
          </p>
        ) : (
          <p className="mb-3 text-sm text-zinc-400">
            Stored in full{pretty === null ? ", shown as text because it is not JSON" : ""}. Keys
            are redacted.
          </p>
        )}
        <CodeBlock code={pretty ?? delivery.body} testId="delivery-body" wrap />
      </section>

      <section aria-labelledby="curl-heading">
        <h2 id="curl-heading" className="mb-3 text-lg font-semibold">
          Copy as curl
        </h2>
        <p className="mb-3 max-w-3xl text-sm text-zinc-400">
          Sends the stored body to your webhook URL again. Replace{" "}
          <code className="font-mono">YOUR_WEBHOOK_KEY</code> with a webhook key; Chirp does not
          store keys, so it cannot fill one in.
          {delivery.bodyTruncated
            ? " The stored body was truncated, so this command sends the truncated copy, not the full body. Replay applies the stored status object instead."
            : ""}
        </p>
        <CodeBlock
          code={curlCommand(delivery, publicBaseUrl())}
          copyLabel="Copy curl"
          testId="delivery-curl"
          wrap
        />
      </section>
    </div>
  );
}
