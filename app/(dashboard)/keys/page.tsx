import type { Metadata } from "next";
import { CreateKeyForm } from "@/app/_components/create-key-form";
import { LocalTime } from "@/app/_components/local-time";
import { RevokeKeyButton } from "@/app/_components/revoke-key-button";
import { publicBaseUrl } from "@/lib/config";
import { kindLabel } from "@/lib/keys/format";
import { type KeySummary, listKeys, MAX_KEY_NAME_LENGTH } from "@/lib/keys/store";
import { requireSession } from "../session";

export const metadata: Metadata = { title: "Keys" };

type KeyStatus = "Active" | "Revoked" | "Expired";

function keyStatus(key: KeySummary, now: number): KeyStatus {
  if (key.revokedAt) return "Revoked";
  if (key.expiresAt && key.expiresAt.getTime() <= now) return "Expired";
  return "Active";
}

const STATUS_CLASSES: Record<KeyStatus, string> = {
  Active: "border-emerald-500/40 bg-emerald-500/10 text-emerald-300",
  Revoked: "border-zinc-600 bg-zinc-800 text-zinc-400",
  Expired: "border-amber-500/40 bg-amber-500/10 text-amber-300",
};

export default async function KeysPage() {
  const { accountId } = await requireSession();
  const keys = await listKeys({ accountId });
  const now = Date.now();

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
          key is shown once, when you create it.
        </p>
      </div>

      <CreateKeyForm baseUrl={publicBaseUrl()} maxNameLength={MAX_KEY_NAME_LENGTH} />

      <section aria-labelledby="key-list-heading">
        <h2 id="key-list-heading" className="mb-3 text-lg font-semibold">
          Your keys
        </h2>
        {keys.length === 0 ? (
          <p className="rounded-2xl border border-dashed border-zinc-700 p-6 text-sm text-zinc-400">
            No keys yet. Create a webhook key and an API key to send your first job.
          </p>
        ) : (
          <div className="overflow-x-auto rounded-2xl border border-zinc-800">
            <table className="w-full min-w-[56rem] text-left text-sm">
              <thead className="bg-zinc-900/80 text-xs tracking-wide text-zinc-400 uppercase">
                <tr>
                  <th scope="col" className="px-3 py-3 font-medium">
                    Name
                  </th>
                  <th scope="col" className="px-3 py-3 font-medium">
                    Kind
                  </th>
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
                    Status
                  </th>
                  <th scope="col" className="w-36 px-3 py-3">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-800">
                {keys.map((key) => {
                  const status = keyStatus(key, now);
                  return (
                    <tr
                      key={key.id}
                      data-testid="key-row"
                      data-key-id={key.id}
                      className={status === "Active" ? "" : "text-zinc-500"}
                    >
                      <td className="max-w-56 px-3 py-3">
                        <span dir="auto" className="block truncate font-medium" title={key.name}>
                          {key.name}
                        </span>
                      </td>
                      <td className="px-3 py-3 whitespace-nowrap">
                        {key.kind === "webhook" ? "Webhook key" : "API key"}
                      </td>
                      <td className="px-3 py-3">
                        <code
                          className="block max-w-52 truncate font-mono text-xs"
                          title={`${key.displayStart} is the start of the ${kindLabel(key.kind)}. The rest is never shown again.`}
                        >
                          {key.displayStart}
                        </code>
                      </td>
                      <td className="px-3 py-3 whitespace-nowrap">
                        <LocalTime iso={key.createdAt.toISOString()} />
                      </td>
                      <td className="px-3 py-3 whitespace-nowrap">
                        {key.lastUsedAt ? (
                          <LocalTime iso={key.lastUsedAt.toISOString()} />
                        ) : (
                          "Never"
                        )}
                      </td>
                      <td className="px-3 py-3 text-right tabular-nums">{key.useCount}</td>
                      <td className="px-3 py-3">
                        <span
                          className={`inline-block rounded-full border px-2 py-0.5 text-xs font-medium ${STATUS_CLASSES[status]}`}
                        >
                          {status}
                        </span>
                      </td>
                      <td className="px-3 py-3 text-right whitespace-nowrap">
                        {status === "Revoked" ? null : (
                          <RevokeKeyButton keyId={key.id} keyName={key.name} />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
