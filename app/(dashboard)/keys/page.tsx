import type { Metadata } from "next";
import { CreateKeyForm } from "@/app/_components/create-key-form";
import { KeyRow, type KeyRowData } from "@/app/_components/key-row";
import { publicBaseUrl } from "@/lib/config";
import { effectiveRateLimit } from "@/lib/keys/rate-limit";
import { type KeySummary, listKeys, MAX_KEY_NAME_LENGTH } from "@/lib/keys/store";
import { requireSession } from "../session";

export const metadata: Metadata = { title: "Keys" };

function rowData(key: KeySummary): KeyRowData {
  return {
    id: key.id,
    kind: key.kind,
    name: key.name,
    displayStart: key.displayStart,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    useCount: key.useCount,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    previousValidUntil: key.previousValidUntil?.toISOString() ?? null,
    rateLimit: {
      ...effectiveRateLimit(key),
      ownLimit: key.rateLimitPerSecond !== null && key.rateLimitBurst !== null,
    },
    endpointIds: key.endpointIds,
  };
}

export default async function KeysPage() {
  const { accountId } = await requireSession();
  const keys = await listKeys({ accountId });
  const now = Date.now();
  const baseUrl = publicBaseUrl();

  return (
    <div className="flex flex-col gap-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Keys</h1>
        <p className="mt-2 max-w-3xl text-sm text-zinc-400">
          A <strong className="text-zinc-200">webhook key</strong> goes into the webhook URL you
          give RunPod; it can only deliver job results. An{" "}
          <strong className="text-zinc-200">API key</strong> authenticates your scripts&apos; calls
          to <code className="font-mono">/v1/activity/start</code>,{" "}
          <code className="font-mono">update</code> and <code className="font-mono">end</code>. Each
          key is shown once, when you create or reroll it. Rerolling gives a key a new value and can
          keep the old one working for a grace period while you update what uses it.
        </p>
      </div>

      <CreateKeyForm baseUrl={baseUrl} maxNameLength={MAX_KEY_NAME_LENGTH} />

      <section aria-labelledby="key-list-heading">
        <h2 id="key-list-heading" className="mb-3 text-lg font-semibold">
          Your keys
        </h2>
        {keys.length === 0 ? (
          <p className="rounded-2xl border border-dashed border-zinc-700 p-6 text-sm text-zinc-400">
            No keys yet. Create a webhook key and an API key to send your first job.
          </p>
        ) : (
          // Below the md breakpoint each key is a stacked block with labelled fields, so that
          // its actions stay on screen instead of in a table scrolled sideways.
          <div className="relative overflow-x-auto rounded-2xl border border-zinc-800">
            <table className="block w-full text-left text-sm md:table">
              <thead className="hidden bg-zinc-900/80 text-xs tracking-wide text-zinc-400 uppercase md:table-header-group">
                <tr>
                  <th scope="col" className="px-3 py-3 font-medium">
                    Key
                  </th>
                  <th scope="col" className="px-3 py-3 font-medium">
                    Created
                  </th>
                  <th scope="col" className="px-3 py-3 font-medium">
                    Last used
                  </th>
                  <th scope="col" className="px-3 py-3 text-right font-medium">
                    Uses
                  </th>
                  <th scope="col" className="px-3 py-3 font-medium">
                    Expires
                  </th>
                  <th scope="col" className="px-3 py-3 font-medium">
                    Status
                  </th>
                  <th scope="col" className="px-3 py-3">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="block divide-y divide-zinc-800 md:table-row-group">
                {keys.map((key) => (
                  <KeyRow key={key.id} keyData={rowData(key)} baseUrl={baseUrl} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
