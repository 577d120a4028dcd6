import { createClient } from "@kin/client";
import { credentialsFor } from "@kin/mock-server";
import { DEFAULT_MSW_BASE_URL } from "@kin/mock-server/msw";
import { describe, expect, it } from "vitest";
import { createLeaderElector } from "./leaderElection.js";

const client = await createClient({
  credentials: credentialsFor({ url: DEFAULT_MSW_BASE_URL }, "t"),
});
const base = { lease: { name: "l" }, identity: "me", onStartedLeading: () => {} };

describe("createLeaderElector", () => {
  it("has client-go's validation of the durations", () => {
    expect(() => createLeaderElector(client, base)).not.toThrow();
    expect(() => createLeaderElector(client, { ...base, identity: "" })).toThrow(
      /identity must not be empty/,
    );
    expect(() => createLeaderElector(client, { ...base, leaseDurationMs: 10_000 })).toThrow(
      /leaseDurationMs \(10000\) must be greater than renewDeadlineMs \(10000\)/,
    );
    expect(() => createLeaderElector(client, { ...base, renewDeadlineMs: 2_000 })).toThrow(
      /renewDeadlineMs \(2000\) must be greater than retryPeriodMs × 1.2 \(2400\)/,
    );
    expect(() => createLeaderElector(client, { ...base, leaseDurationMs: 15_500 })).toThrow(
      /whole number of seconds/,
    );
  });

  it("does not lead before it runs", () => {
    const elector = createLeaderElector(client, base);
    expect(elector.isLeader()).toBe(false);
    expect(elector.leader()).toBeUndefined();
    expect(elector.identity).toBe("me");
  });
});
