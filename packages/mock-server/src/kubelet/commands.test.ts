import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CommandNotFoundError, runCommand, StdinReader, type TerminalSize } from "./commands.js";

async function run(argv: string[], stdin: string[] = [], size?: TerminalSize) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(argv, {
    stdin: new StdinReader(Readable.from(stdin.map((s) => Buffer.from(s)))),
    write: async (stream, data) => {
      (stream === 1 ? out : err).push(Buffer.from(data).toString());
    },
    env: { HOSTNAME: "web-0", MODE: "fast" },
    terminalSize: () => size,
    signal: new AbortController().signal,
  });
  return { code, out: out.join(""), err: err.join("") };
}

describe("the simulated shell", () => {
  it("runs sequences with ;, && and ||, quotes, variables and >&2", async () => {
    expect(
      await run([
        "sh",
        "-c",
        `echo 'a  b' "mode=$MODE" \${HOSTNAME}; false && echo no || echo "was $?"; echo e >&2`,
      ]),
    ).toEqual({ code: 0, out: "a  b mode=fast web-0\nwas 1\n", err: "e\n" });
  });

  it("exits with the code given, 127 for an unknown command, 2 for a bad exit", async () => {
    expect((await run(["/bin/sh", "-c", "exit 137"])).code).toBe(137);
    expect(await run(["sh", "-c", "nope"])).toEqual({
      code: 127,
      out: "",
      err: "sh: 1: nope: not found\n",
    });
    expect((await run(["sh", "-c", "exit x"])).code).toBe(2);
  });

  it("runs an interactive sh line by line from stdin, until exit", async () => {
    expect(
      await run(["sh"], ["echo one\nread line\n", "skipped\necho $line\nexit 5\necho never\n"]),
    ).toEqual({
      code: 5,
      out: "one\nskipped\n",
      err: "",
    });
  });

  it("has the small programs tests need", async () => {
    expect((await run(["printf", "%s=%d\\n", "a", "1", "b", "2"])).out).toBe("a=1\nb=2\n");
    expect((await run(["cat"], ["x", "y"])).out).toBe("xy");
    expect((await run(["head", "-c", "3"], ["abcdef"])).out).toBe("abc");
    expect((await run(["wc", "-c"], ["abc", "de"])).out).toBe("5\n");
    expect((await run(["sha256sum"], ["abc"])).out).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n",
    );
    expect((await run(["env"])).out).toBe("HOSTNAME=web-0\nMODE=fast\n");
    expect((await run(["stty", "size"], [], { width: 80, height: 24 })).out).toBe("24 80\n");
    expect(await run(["stty", "size"])).toMatchObject({ code: 1, err: /Inappropriate ioctl/ });
  });

  it("throws CommandNotFoundError for an executable not in the image", async () => {
    await expect(run(["python3"])).rejects.toBeInstanceOf(CommandNotFoundError);
  });
});
