import { describe, expect, it } from "vitest";
import { addToast, MAX_TOASTS, type Toast } from "./toasts";

const error = (id: number, message = `failed ${id}`): Toast => ({ id, message, tone: "error" });
const success = (id: number, message = `done ${id}`): Toast => ({ id, message, tone: "success" });

describe("addToast", () => {
  it("success replaces earlier errors", () => {
    const shown = [error(1), error(2)];
    expect(addToast(shown, success(3))).toEqual([success(3)]);
  });

  it("error keeps earlier notices", () => {
    const shown = [success(1), error(2)];
    expect(addToast(shown, error(3))).toEqual([success(1), error(2), error(3)]);
  });

  it("repeated message replaces its copy", () => {
    const shown = [error(1, "Changing the password failed"), success(2)];
    expect(addToast(shown, error(3, "Changing the password failed"))).toEqual([
      success(2),
      error(3, "Changing the password failed"),
    ]);
  });

  it("drops the oldest beyond the limit", () => {
    const shown = [success(1), success(2), success(3)];
    const after = addToast(shown, success(4));
    expect(after).toHaveLength(MAX_TOASTS);
    expect(after.map((toast) => toast.id)).toEqual([2, 3, 4]);
  });
});
