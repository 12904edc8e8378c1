/** The Chirp wordmark: a live dot and the name. */
export function ChirpMark() {
  return (
    <span className="inline-flex items-center gap-2 text-lg font-semibold tracking-tight">
      <span aria-hidden="true" className="relative flex size-2.5">
        <span className="absolute inline-flex size-full animate-ping rounded-full bg-runpod-light opacity-60 motion-reduce:animate-none" />
        <span className="relative inline-flex size-2.5 rounded-full bg-runpod-light" />
      </span>
      Chirp
    </span>
  );
}
