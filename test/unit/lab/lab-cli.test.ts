import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { labCliArgv } from "../../../lab/lab-cli-argv";

function lab(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [, bin] = labCliArgv("");
  return new Promise((done) => {
    const child = execFile(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 15_000 }, (_error, stdout, stderr) =>
      done({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe("npm run lab -- (the lab's own command)", () => {
  it("lists the lab's commands: the local cloud's, and the bare lab's under bare", async () => {
    const { code, stdout } = await lab("--help");
    expect(code).toBe(0);
    for (const command of [
      "up",
      "down",
      "status",
      "run",
      "deploy",
      "destroy",
      "plan",
      "image",
      "cloud",
      "shell",
      "outputs",
      "bare",
      "probe",
    ]) {
      expect(stdout).toMatch(new RegExp(`^\\s+${command} `, "m"));
    }
    const bare = await lab("bare", "--help");
    for (const command of ["up", "status", "drill", "shell", "down"]) expect(bare.stdout).toMatch(new RegExp(`^\\s+${command} `, "m"));
  });

  it("refuses an image release the lab does not build before building anything", async () => {
    const { code, stderr } = await lab("--name", "havip-cli-never", "up", "--release", "buster");
    expect(code).toBe(2);
    expect(stderr).toContain('--release "buster": the lab\'s images are bullseye, bookworm, trixie');
  });

  it("refuses a --service the lab does not offer before building anything, naming the offer", async () => {
    const { code, stderr } = await lab("--name", "havip-cli-never", "bare", "up", "--service", "mysql");
    expect(code).toBe(2);
    expect(stderr).toContain('--service "mysql": the lab offers nginx');
  });
});
