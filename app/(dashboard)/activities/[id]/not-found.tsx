import { NotFoundNotice } from "@/app/_components/not-found-notice";

export default function ActivityNotFound() {
  return (
    <NotFoundNotice
      title="Card not found"
      message="This account has no card with that id. Check the link, or pick the card from the board."
      href="/"
      linkLabel="Back to the board"
    />
  );
}
