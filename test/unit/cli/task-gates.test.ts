import { describe, expect, it } from "vitest";
import { TaskGates, type TaskView } from "../../../lib/cli/task-list";

const view = (title: string): TaskView => ({ title });

describe("TaskGates", () => {
  it("finishes a waiting task with the title its event gives, showing progress meanwhile", async () => {
    const gates = new TaskGates();
    const task = view("primary");
    const waiting = gates.wait("connect:primary", task);
    gates.progress("connect:primary", "connecting to 10.0.0.5");
    expect(task.output).toBe("connecting to 10.0.0.5");
    gates.finish("connect:primary", "primary: Debian 12, keepalived 2.2.7");
    await waiting;
    expect(task.title).toBe("primary: Debian 12, keepalived 2.2.7");
  });

  it("keeps events that arrive before the task starts: the last output shows, and the task ends at once", async () => {
    const gates = new TaskGates();
    gates.progress("plan", "reading files");
    gates.finish("plan", "Render and compare files: 2 to change");
    const task = view("Render and compare files");
    await gates.wait("plan", task);
    expect(task).toEqual({ title: "Render and compare files: 2 to change", output: "reading files" });
  });

  it("leaves the title as it is when the finishing event gives none", async () => {
    const gates = new TaskGates();
    const task = view("secondary: reload");
    const waiting = gates.wait("apply:secondary", task);
    gates.finish("apply:secondary");
    await waiting;
    expect(task.title).toBe("secondary: reload");
  });

  it("fails the waiting task with the operation's error, and a task that starts only after the failure too", async () => {
    const gates = new TaskGates();
    const waiting = gates.wait("connect:primary", view("primary"));
    const error = new Error("primary: connection refused");
    gates.failAll(error);
    await expect(waiting).rejects.toBe(error);
    await expect(gates.wait("vip", view("vip"))).rejects.toBe(error);
  });
});
