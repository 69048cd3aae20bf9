// No network, for the desktop app: the real app (with WebKit's web and network processes)
// runs under `strace -f` through start-up, an answer from the model, a search and a
// profile, and its trace must show no Internet socket but the WebDriver session's own.
// `tests/offline.rs` proves the same for the CLI (SECURITY.md, "No network").
//
// WebKitWebDriver drives the window through WebKit's automation session, which may use a
// TCP socket on 127.0.0.1 to talk to its driver; such a socket exists only under test.
// The check allows exactly that: loopback sockets bound or connected to 127.0.0.1, and
// nothing else of family AF_INET or AF_INET6.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  ANSWER_TIMEOUT,
  APP,
  MINUTE,
  ROOT,
  ask,
  closeApp,
  openApp,
  phase,
  startDriver,
  tempDir,
  waitSettled,
} from "../lib/harness.mjs";

const READY_TIMEOUT = Number(process.env.E2E_READY_TIMEOUT_MS ?? 40 * MINUTE);
const LOG = path.join(tempDir("strace"), "app.strace");

let browser;

/**
 * The trace's lines that touch an Internet socket: one created of that family, or an
 * address of it. A netlink message that merely describes routes (`rtm_family=AF_INET`, the
 * system's routing table read over an AF_NETLINK socket) is not one.
 */
export function internetLines(trace) {
  return trace.split("\n").filter((l) => /socket\((AF|PF)_INET6?\b|sa_family=AF_INET6?\b/.test(l));
}

/** Internet-socket lines that are not loopback: anything but a 127.0.0.1 address, and any IPv6. */
export function beyondLoopback(lines) {
  return lines.filter((l) => {
    if (/AF_INET6|PF_INET6/.test(l)) return true;
    const addresses = [...l.matchAll(/inet_addr\("([^"]+)"\)/g)].map((m) => m[1]);
    // socket(AF_INET, …) itself names no address; what it is used for is checked where it is.
    if (addresses.length === 0) return !/^\d+\s+socket\(/.test(l.replace(/^\[pid\s+/, ""));
    return addresses.some((a) => a !== "127.0.0.1");
  });
}

describe("the desktop app never uses the network", () => {
  before(async () => {
    await startDriver({
      prefix: "offline-",
      extraEnv: { DRUGCHATTER_STRACE_LOG: LOG, DRUGCHATTER_TRACED_APP: APP },
    });
    browser = await openApp({ application: path.join(ROOT, "e2e", "lib", "strace-app.sh") });
  });

  after(async () => closeApp(browser));

  it("starts, answers with the model, searches and opens a profile", { timeout: READY_TIMEOUT + ANSWER_TIMEOUT + MINUTE }, async () => {
    await browser.waitUntil(async () => ["ready", "failed"].includes(await phase(browser)), {
      timeout: READY_TIMEOUT,
      interval: 500,
      timeoutMsg: "the app did not become ready",
    });
    assert.equal(await phase(browser), "ready");
    await ask(browser, "How does imiquimod work?");
    const card = await waitSettled(browser, "How does imiquimod work?");
    assert.equal(await card.getAttribute("data-state"), "done");
    const search = await browser.$("#drug-search");
    await search.click();
    await search.setValue("Aldara");
    await (await browser.$('#drug-search-listbox [role="option"][data-slug="imiquimod"]')).waitForDisplayed({ timeout: 2 * MINUTE });
    await browser.keys(["Enter"]);
    await (await browser.$('#view-monograph .monograph[data-slug="imiquimod"]')).waitForDisplayed({ timeout: 2 * MINUTE });
  });

  it("its trace shows no Internet socket beyond the WebDriver session's loopback", async () => {
    await closeApp(browser);
    browser = null;
    const trace = readFileSync(LOG, "utf8");
    // strace followed the app and its WebKit processes.
    assert.match(trace, /\+\+\+ (exited|killed)/, "strace followed the run");
    assert.ok(trace.split("\n").length > 10, "the trace holds the app's network calls");
    const offending = beyondLoopback(internetLines(trace));
    assert.deepEqual(offending, [], `Internet sockets beyond loopback:\n${offending.join("\n")}`);
  });

  it("the check sees an Internet socket when there is one", () => {
    const sample = [
      '123 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 5',
      '123 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("93.184.216.34")}, 16) = -1 ENETUNREACH',
      '[pid 124] socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 7',
      '123 bind(6, {sa_family=AF_INET, sin_port=htons(4445), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
      "123 recvmsg(5, {msg_name={sa_family=AF_NETLINK, nl_pid=0}, msg_iov=[{iov_base=[{nlmsg_type=RTM_NEWROUTE}, {rtm_family=AF_INET}]}]}, 0) = 52",
    ].join("\n");
    assert.deepEqual(beyondLoopback(internetLines(sample)), [
      '123 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("93.184.216.34")}, 16) = -1 ENETUNREACH',
      "[pid 124] socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 7",
    ]);
  });
});
