import {
  actionLine,
  type CardTone,
  cardTitle,
  cardTone,
  elapsedMs,
  formatDuration,
  formatTimer,
  isOpen,
  totalMs,
} from "@/lib/activities/presentation";
import type { ActivityView } from "@/lib/activities/view";

const TONE_CLASSES: Record<
  CardTone,
  { card: string; header: string; action: string; bar: string }
> = {
  open: {
    card: "border-runpod/50 bg-zinc-900/90 hover:border-runpod-light",
    header: "text-runpod-light",
    action: "text-zinc-200",
    bar: "bg-runpod-light",
  },
  success: {
    card: "border-emerald-500/50 bg-emerald-950/30 hover:border-emerald-400",
    header: "text-emerald-400",
    action: "text-emerald-100",
    bar: "bg-emerald-500",
  },
  failure: {
    card: "border-red-500/50 bg-red-950/30 hover:border-red-400",
    header: "text-red-400",
    action: "text-red-100",
    bar: "bg-red-500",
  },
  cancelled: {
    card: "border-orange-500/50 bg-orange-950/30 hover:border-orange-400",
    header: "text-orange-400",
    action: "text-orange-100",
    bar: "bg-orange-500",
  },
};

/**
 * One job drawn like the Lock Screen Live Activity: logo and status, job name and
 * endpoint, the action line, and a timer that ticks while the job is open. `now` is
 * the clock the board ticks, so every card on the board shows the same second.
 */
export function ActivityCard({ activity, now }: { activity: ActivityView; now: number }) {
  const tone = TONE_CLASSES[cardTone(activity.state)];
  const open = isOpen(activity.state);
  const title = cardTitle(activity);
  const action = actionLine(activity);
  const total = totalMs(activity);
  const timer = open
    ? formatTimer(elapsedMs(activity, now))
    : total === null
      ? ""
      : formatDuration(total);

  const content = (
    <>
      <div className="flex items-start gap-3">
        {/* biome-ignore lint/performance/noImgElement: a static SVG needs no image optimization */}
        <img src="/runpod-logo.svg" alt="" width={40} height={40} className="size-10 shrink-0" />
        <div className="min-w-0 flex-1">
          <div className="flex items-baseline justify-between gap-3">
            <p className={`truncate text-xs font-semibold tracking-wide ${tone.header}`}>
              {`RunPod · ${activity.statusWord}`}
            </p>
            <p
              className="shrink-0 font-mono text-sm text-zinc-300 tabular-nums"
              title={open ? "Time since the job was submitted" : "Total time of the job"}
            >
              {open ? null : <span className="sr-only">Total time </span>}
              {timer}
            </p>
          </div>
          <p dir="auto" className="truncate text-base font-semibold text-white" title={title}>
            {title}
          </p>
          <p className="flex min-w-0 gap-1.5 font-mono text-xs text-zinc-500">
            {activity.endpoint ? <span className="shrink-0">{activity.endpoint}</span> : null}
            {activity.endpoint && activity.jobName !== null ? (
              <span aria-hidden="true">·</span>
            ) : null}
            {activity.jobName !== null ? (
              <span className="truncate" title={activity.key}>
                {activity.key}
              </span>
            ) : null}
          </p>
        </div>
      </div>
      <p
        dir="auto"
        className={`mt-3 line-clamp-3 text-sm wrap-anywhere ${tone.action}`}
        title={action}
      >
        {action}
      </p>
      <div className="mt-3 h-1 overflow-hidden rounded-full bg-zinc-800" aria-hidden="true">
        {open ? (
          <div className={`h-full w-1/3 rounded-full animate-indeterminate ${tone.bar}`} />
        ) : (
          <div className={`h-full w-full ${tone.bar}`} />
        )}
      </div>
    </>
  );

  const cardClass = `block min-w-0 rounded-3xl border p-4 shadow-lg shadow-black/30 transition ${tone.card}`;
  const dataAttributes = {
    // The anchor that links from elsewhere, such as a delivery's page, point to.
    id: `activity-${activity.id}`,
    "data-testid": "activity-card",
    "data-key": activity.key,
    "data-state": activity.state,
  };

  if (!activity.consoleUrl) {
    return (
      <div {...dataAttributes} className={cardClass}>
        {content}
      </div>
    );
  }
  return (
    <a
      {...dataAttributes}
      href={activity.consoleUrl}
      target="_blank"
      rel="noopener noreferrer"
      className={`${cardClass} focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-runpod-light`}
    >
      {content}
      <span className="sr-only">Opens endpoint {activity.endpoint} in the RunPod console.</span>
    </a>
  );
}
