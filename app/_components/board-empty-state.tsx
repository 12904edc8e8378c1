import Link from "next/link";
import { activityStartExample, runpodRunExample, webhookUrl } from "@/lib/keys/examples";
import { CodeBlock } from "./code-block";

/** What to do when the board has no cards yet: the two calls that open and close one. */
export function BoardEmptyState({ baseUrl }: { baseUrl: string }) {
  return (
    <div
      data-testid="board-empty"
      className="rounded-3xl border border-dashed border-zinc-700 bg-zinc-900/40 p-6 sm:p-8"
    >
      <h2 className="text-lg font-semibold">No jobs yet</h2>
      <p className="mt-2 max-w-2xl text-sm text-zinc-400">
        A card opens when your script submits a RunPod job and closes when RunPod calls the webhook.
        You need a webhook key and an API key:{" "}
        <Link href="/keys" className="font-medium text-runpod-light hover:underline">
          create them on the Keys page
        </Link>
        , then make these two calls.
      </p>
      <ol className="mt-6 flex flex-col gap-6">
        <li>
          <h3 className="font-medium">1. Submit the job to RunPod with the webhook field</h3>
          <p className="mt-1 mb-3 text-sm text-zinc-400">
            Replace ENDPOINT_ID with your endpoint id and YOUR_WEBHOOK_KEY with your webhook key.
            RunPod answers with the job id and calls this URL when the job finishes.
          </p>
          <CodeBlock
            code={runpodRunExample(webhookUrl(baseUrl, "YOUR_WEBHOOK_KEY"))}
            copyLabel="Copy the RunPod command"
          />
        </li>
        <li>
          <h3 className="font-medium">2. Open the card with the job id</h3>
          <p className="mt-1 mb-3 text-sm text-zinc-400">
            Set CHIRP_API_KEY to your API key and replace JOB_ID with the id RunPod returned. The
            card appears here as queued and closes when RunPod&apos;s webhook arrives.
          </p>
          <CodeBlock
            code={activityStartExample(baseUrl, "$CHIRP_API_KEY")}
            copyLabel="Copy the Chirp command"
          />
        </li>
      </ol>
    </div>
  );
}
