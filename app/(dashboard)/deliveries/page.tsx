import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { LocalTime } from "@/app/_components/local-time";
import { describeReplay, formatBytes, responseLabel } from "@/lib/deliveries/format";
import { type DeliveryPage, type DeliveryReplays, listDeliveries } from "@/lib/deliveries/queries";
import { ApiError } from "@/lib/http/errors";
import { requireSession } from "../session";

export const metadata: Metadata = { title: "Deliveries" };

function responseClasses(status: number): string {
  return status === 200
    ? "border-emerald-500/40 bg-emerald-500/10 text-emerald-300"
    : "border-red-500/40 bg-red-500/10 text-red-300";
}

/** Says how often a delivery was replayed and links to what the latest replay did. */
function ReplaySummary({ deliveryId, replays }: { deliveryId: string; replays: DeliveryReplays }) {
  const outcome = describeReplay(replays.latest);
  return (
    <span
      data-testid="delivery-replay"
      className="mt-1 block max-w-80 text-xs whitespace-normal text-zinc-300"
    >
      {replays.count === 1 ? "Replayed once" : `Replayed ${replays.count} times`};{" "}
      <Link
        href={`/deliveries/${deliveryId}#replay-${replays.latest.id}`}
        className={`hover:underline ${outcome.applied ? "text-emerald-300" : "text-amber-300"}`}
      >
        latest replay {outcome.applied ? "applied" : "not applied"}: {outcome.summary}
      </Link>
    </span>
  );
}

/**
 * Renders a cell of the delivery log. Below sm the table head is hidden and each row stacks
 * its cells, so every cell but the first shows its column's name beside its value.
 */
function Cell({
  label,
  className = "",
  children,
}: {
  label?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <td
      className={`flex min-w-0 items-baseline gap-2 py-0.5 sm:table-cell sm:px-3 sm:py-3 ${className}`}
    >
      {label ? (
        <span className="w-28 shrink-0 font-sans text-xs text-zinc-500 sm:hidden">{label}</span>
      ) : null}
      <div className="min-w-0 flex-1">{children}</div>
    </td>
  );
}

export default async function DeliveriesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { accountId } = await requireSession();
  const { before } = await searchParams;
  const cursor = typeof before === "string" && before !== "" ? before : undefined;

  let page: DeliveryPage;
  try {
    page = await listDeliveries({ accountId, before: cursor });
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "not_found") throw error;
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-2xl font-semibold tracking-tight">Deliveries</h1>
        <p role="alert" className="text-sm text-red-400">
          {error.message}
        </p>
        <Link href="/deliveries" className="text-sm text-violet-300 hover:underline">
          Newest deliveries
        </Link>
      </div>
    );
  }

  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Deliveries</h1>
        <p className="mt-2 max-w-3xl text-sm text-zinc-400">
          Every request to one of your webhook URLs, newest first, with the response Chirp returned.
          Open a delivery to see its headers and body, replay it, or copy it as a curl command. A
          request whose key is mistyped or forged names no account, so it is answered 401
          invalid_key and is not listed here; copy the webhook URL again from the Keys page.
        </p>
      </div>

      {page.deliveries.length === 0 ? (
        <p className="rounded-2xl border border-dashed border-zinc-700 p-6 text-sm text-zinc-400">
          {cursor
            ? "No older deliveries."
            : "No deliveries yet. They appear here when RunPod, or anything else, posts to one of your webhook URLs."}
        </p>
      ) : (
        <div className="relative overflow-x-auto rounded-2xl border border-zinc-800">
          <table className="w-full text-left text-sm sm:min-w-[56rem]">
            <thead className="hidden bg-zinc-900/80 text-xs tracking-wide text-zinc-400 uppercase sm:table-header-group">
              <tr>
                <th scope="col" className="px-3 py-3 font-medium">
                  Received
                </th>
                <th scope="col" className="px-3 py-3 font-medium">
                  Key
                </th>
                <th scope="col" className="px-3 py-3 font-medium">
                  Response
                </th>
                <th scope="col" className="px-3 py-3 font-medium">
                  Job id
                </th>
                <th scope="col" className="px-3 py-3 font-medium">
                  RunPod status
                </th>
                <th scope="col" className="px-3 py-3 text-right font-medium">
                  Size
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-800">
              {page.deliveries.map((delivery) => (
                <tr
                  key={delivery.id}
                  data-testid="delivery-row"
                  data-delivery-id={delivery.id}
                  className="block px-3 py-2 sm:table-row sm:p-0"
                >
                  <Cell className="whitespace-nowrap">
                    <Link
                      href={`/deliveries/${delivery.id}`}
                      className="text-violet-300 hover:underline"
                    >
                      <LocalTime iso={delivery.receivedAt.toISOString()} />
                    </Link>
                  </Cell>
                  <Cell label="Key" className="sm:max-w-48">
                    {delivery.keyName === null ? (
                      <span className="text-zinc-500 italic">deleted key</span>
                    ) : (
                      <span dir="auto" className="block truncate" title={delivery.keyName}>
                        {delivery.keyName}
                      </span>
                    )}
                  </Cell>
                  <Cell label="Response" className="sm:whitespace-nowrap">
                    <span
                      className={`inline-block rounded-full border px-2 py-0.5 font-mono text-xs ${responseClasses(delivery.responseStatus)}`}
                    >
                      {responseLabel(delivery)}
                    </span>
                    {delivery.note ? (
                      <span
                        data-testid="delivery-note"
                        className="mt-1 block max-w-80 text-xs whitespace-normal text-amber-300"
                      >
                        {delivery.note}
                      </span>
                    ) : null}
                    {delivery.replays ? (
                      <ReplaySummary deliveryId={delivery.id} replays={delivery.replays} />
                    ) : null}
                  </Cell>
                  <Cell label="Job id" className="sm:max-w-72">
                    {delivery.jobId === null ? (
                      <span className="text-zinc-500">—</span>
                    ) : (
                      <code
                        className="block font-mono text-xs wrap-anywhere sm:truncate"
                        title={delivery.jobId}
                      >
                        {delivery.jobId}
                      </code>
                    )}
                  </Cell>
                  <Cell label="RunPod status" className="font-mono text-xs whitespace-nowrap">
                    {delivery.runpodStatus ?? <span className="text-zinc-500">—</span>}
                  </Cell>
                  <Cell label="Size" className="whitespace-nowrap tabular-nums sm:text-right">
                    {formatBytes(delivery.bodyBytes)}
                    {delivery.bodyTruncated ? (
                      <span
                        className="ml-1 text-xs text-amber-300"
                        title="Only the first part of the body is stored"
                      >
                        (truncated)
                      </span>
                    ) : null}
                  </Cell>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <nav aria-label="Pages" className="flex gap-3 text-sm">
        {cursor ? (
          <Link href="/deliveries" className="text-violet-300 hover:underline">
            Newest
          </Link>
        ) : null}
        {page.nextBefore ? (
          <Link
            href={`/deliveries?before=${encodeURIComponent(page.nextBefore)}`}
            className="text-violet-300 hover:underline"
          >
            Older
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
