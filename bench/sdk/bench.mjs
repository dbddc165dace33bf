// The official Anthropic TypeScript SDK under the same load as bench/client_bench.cpp: M
// Messages calls at concurrency C against a Claude-compatible server (the fake one, in another
// process), as a closed loop of C lanes. Prints one JSON object with the same fields.
//
// TLS is verified: the server's CA is given to undici's Agent (connect.ca), and
// NODE_EXTRA_CA_CERTS should name it too (bench/run.sh sets it before node starts). The SDK
// parses every response; the structured text inside is parsed here, as the C++ bench does.
//
// usage: node bench.mjs --base-url URL --ca-file PEM [--api-key K] [--concurrency C]
//                       [--requests M] [--warm]

import Anthropic from '@anthropic-ai/sdk';
import { Agent, fetch as undiciFetch } from 'undici';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

function parseArgs(argv) {
    const args = { warm: false };
    for (let i = 0; i < argv.length; ++i) {
        const name = argv[i];
        if (name === '--warm') {
            args.warm = true;
        } else if (name.startsWith('--') && i + 1 < argv.length) {
            args[name.slice(2)] = argv[++i];
        } else {
            throw new Error(`unexpected argument ${name}`);
        }
    }
    for (const required of ['base-url', 'ca-file'])
        if (!args[required]) throw new Error(`--${required} is required`);
    return args;
}

// VmHWM: this process's own peak RSS (maxRSS from getrusage also counts the parent's at exec).
function peakRssKib() {
    const line = readFileSync('/proc/self/status', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('VmHWM:'));
    return line ? Number(line.split(/\s+/)[1]) : null;
}

function percentile(values, p) {
    if (values.length === 0) return 0;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.min(Math.max(Math.ceil((p / 100) * sorted.length), 1), sorted.length);
    return sorted[rank - 1];
}

// The same minimal request as the C++ bench: a small structured output.
const request = {
    model: 'claude-sonnet-4-6',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'Answer with ok set to true.' }],
    output_config: {
        format: {
            type: 'json_schema',
            schema: {
                type: 'object',
                additionalProperties: false,
                required: ['ok'],
                properties: { ok: { type: 'boolean' } },
            },
        },
    },
};

async function closedLoop(client, calls, lanes) {
    const state = { remaining: calls, latencies: [], errors: 0, firstError: '' };
    const lane = async () => {
        while (state.remaining > 0) {
            --state.remaining;
            const sent = performance.now();
            try {
                const message = await client.messages.create(request);
                const block = message.content.find((b) => b.type === 'text');
                const structured = JSON.parse(block.text);
                if (typeof structured !== 'object' || structured === null)
                    throw new Error('the structured output is not an object');
            } catch (error) {
                if (state.errors++ === 0) state.firstError = String(error);
            }
            state.latencies.push(performance.now() - sent);
        }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    return state;
}

async function main() {
    const args = parseArgs(process.argv.slice(2));
    const concurrency = Number(args.concurrency ?? 1);
    const requests = Number(args.requests ?? 10 * concurrency);
    const baseURL = args['base-url'];

    const dispatcher = new Agent({
        connections: concurrency,
        connect: { ca: readFileSync(args['ca-file']) },
    });
    // The SDK's documented hooks: a fetch implementation and RequestInit options for it. The
    // fetch is undici's own, so that the Agent and the fetch come from the same undici.
    const client = new Anthropic({
        apiKey: args['api-key'] ?? 'test-key',
        baseURL,
        maxRetries: 0,
        fetch: undiciFetch,
        fetchOptions: { dispatcher },
    });

    if (args.warm) {
        const warmup = await closedLoop(client, concurrency, concurrency);
        const reset = await undiciFetch(`${baseURL}/_control`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ reset_stats: true }),
            dispatcher,
        });
        await reset.text();
        if (warmup.errors || !reset.ok) throw new Error(`warm-up failed: ${warmup.firstError}`);
    }

    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    const load = await closedLoop(client, requests, concurrency);
    const wallMs = performance.now() - wallStart;
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    await dispatcher.close();

    const result = {
        client: 'sdk',
        sdk_version: Anthropic.VERSION ?? null,
        concurrency,
        requests,
        warm: args.warm,
        wall_ms: wallMs,
        latency_p50_ms: percentile(load.latencies, 50),
        latency_p99_ms: percentile(load.latencies, 99),
        cpu_ms: cpuMs,
        cpu_us_per_request: (cpuMs * 1000) / requests,
        errors: load.errors,
        first_error: load.firstError,
        peak_rss_kib: peakRssKib(),
    };
    console.log(JSON.stringify(result));
    process.exitCode = load.errors === 0 ? 0 : 1;
}

main().catch((error) => {
    console.error(`bench.mjs: ${error.stack ?? error}`);
    process.exitCode = 2;
});
