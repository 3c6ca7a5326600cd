/**
 * Calls any RPC of a running service through server reflection, like `grpcurl -plaintext`, for
 * machines with nothing but Node.js:
 *
 *   npx tsx scripts/grpc-call.ts 127.0.0.1:50053                         # list the services
 *   npx tsx scripts/grpc-call.ts 127.0.0.1:50053 ecommerce.product.v1.ProductService/GetProduct \
 *     '{"slug":"plain-tee"}' [-H 'authorization: Bearer …']
 *
 * Prints the response as JSON; a failed call prints its status and message and exits 1.
 */
import { status } from '@grpc/grpc-js';
import { GrpcReflectionCaller } from './grpc-call/reflection-client.js';

interface Arguments {
  address: string;
  method?: string;
  request: Record<string, unknown>;
  headers: Record<string, string>;
}

function parseArguments(argv: string[]): Arguments {
  const positional: string[] = [];
  const headers: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-H') {
      const header = argv[++i] ?? '';
      const colon = header.indexOf(':');
      if (colon <= 0) throw new Error(`-H expects "name: value", got "${header}"`);
      headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    } else {
      positional.push(argv[i]!);
    }
  }
  const [address, method, json] = positional;
  if (!address)
    throw new Error('usage: grpc-call ADDRESS [package.Service/Method [JSON]] [-H "name: value"]');
  return { address, method, request: json ? (JSON.parse(json) as Record<string, unknown>) : {}, headers };
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  const caller = new GrpcReflectionCaller(args.address);
  try {
    if (!args.method) {
      for (const name of await caller.listServices()) process.stdout.write(`${name}\n`);
      return 0;
    }
    const { response } = await caller.call(args.method, args.request, args.headers);
    process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
    return 0;
  } catch (error) {
    const failure = error as { code?: number; details?: string; message: string };
    if (typeof failure.code === 'number') {
      process.stderr.write(`ERROR: ${status[failure.code]}: ${failure.details ?? failure.message}\n`);
    } else {
      process.stderr.write(`ERROR: ${failure.message}\n`);
    }
    return 1;
  } finally {
    caller.close();
  }
}

process.exitCode = await main();
