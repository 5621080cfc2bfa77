import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '../monitor.ts';
import { publishGatewayMessage, type GatewayMessage } from './gateway-notice.ts';

// Gateway notices wait for the audit rows of the changes they announce (engine.ts writes those a
// few times a second). Sent before the write, a crash in between left a notice the restart sent
// again, with the case's acknowledgement clock started again at the restart (audit T 3): the
// notice had gone out, its row had not. Sent after, a crash before the write sends nothing, and
// the restart derives, writes and sends the change once. A write that fails still sends (a lost
// notice to the person on call is worse than a second one; the notice id lets gateways fold it).

export class PendingNotices {
  private readonly waiting: GatewayMessage[] = [];

  constructor(
    /** the broker connection under the counting lease, or undefined without it */
    private readonly connection: () => Pick<NatsConnection, 'publish'> | undefined,
    private readonly log: () => Logger,
  ) {}

  add(message: GatewayMessage): void {
    this.waiting.push(message);
  }

  get size(): number {
    return this.waiting.length;
  }

  /**
   * Takes what waits now (the notices of the rows about to be written), to be sent once that
   * write is over; notices added meanwhile wait for their own rows' write.
   */
  take(): () => void {
    const messages = this.waiting.splice(0);
    return () => {
      if (messages.length === 0) return;
      const nc = this.connection();
      if (!nc) return void this.log().warn({ unsent: messages.length }, 'alert changes not sent on NATS: no counting lease');
      for (const m of messages) publishGatewayMessage(nc, m, this.log());
    };
  }
}
