import { type AddressInfo, createServer, type Socket } from 'node:net';

/** A TCP server on a free loopback port that hands each connection to `onSocket` (default: holds it silently). */
export interface TcpServer {
  readonly port: number;
  /** Every connection it accepted. */
  readonly sockets: Socket[];
  /** Destroys the connections and stops listening. */
  close(): Promise<void>;
}

export async function tcpServer(onSocket: (socket: Socket) => void = () => {}): Promise<TcpServer> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => server.close(closed));
    },
  };
}

/** A loopback port nothing listens on (any more): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = await tcpServer();
  await server.close();
  return server.port;
}
