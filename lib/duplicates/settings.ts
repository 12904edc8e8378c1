import { eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { accounts, type CardOpener, cardOpeners } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";

export interface DuplicateSettings {
  cardOpener: CardOpener;
  autoMerge: boolean;
}

export async function getDuplicateSettings(accountId: string): Promise<DuplicateSettings> {
  const db = await getDb();
  const [row] = await db
    .select({ cardOpener: accounts.cardOpener, autoMerge: accounts.autoMergeDuplicates })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return row ?? { cardOpener: "both", autoMerge: false };
}

export function isCardOpener(value: unknown): value is CardOpener {
  return typeof value === "string" && (cardOpeners as readonly string[]).includes(value);
}

/** Saves who opens the account's cards and whether high-confidence groups merge by themselves. */
export async function saveDuplicateSettings(
  accountId: string,
  { cardOpener, autoMerge }: { cardOpener: unknown; autoMerge: boolean },
): Promise<DuplicateSettings> {
  if (!isCardOpener(cardOpener)) {
    throw new ApiError(
      "invalid_fields",
      `Invalid fields: cardOpener: "${String(cardOpener)}" is not a choice; use one of ${cardOpeners.join(", ")}.`,
      [{ field: "cardOpener", message: `use one of ${cardOpeners.join(", ")}` }],
    );
  }
  const db = await getDb();
  await db
    .update(accounts)
    .set({ cardOpener, autoMergeDuplicates: autoMerge })
    .where(eq(accounts.id, accountId));
  return { cardOpener, autoMerge };
}
