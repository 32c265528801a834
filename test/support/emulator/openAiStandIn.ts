import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import { closeServer, listenOnLoopback, originOf } from '../loopbackServer';

export interface ChatRequestLog {
	path: string;
	toolNames: string[];
	lastRole: string | undefined;
	/** When the last message is a tool's: its content, what the tool handed the model. */
	toolResult?: string;
	stream: boolean;
}

interface ChatMessage {
	role: string;
	content?: unknown;
}

/**
 * A stand-in for OpenAI's Chat Completions API on loopback, so the AI agent example runs in a real
 * n8n with no model and no network. It plays a model that always uses the join tool: given a
 * message ending in a link or code, it calls the first tool it is offered with that identifier;
 * given the tool's result, it answers with that result as text. Every request is logged.
 */
export class OpenAiStandIn {
	readonly log: ChatRequestLog[] = [];

	private server: Server | undefined;

	async start(): Promise<this> {
		this.server = await listenOnLoopback((req, res) => {
			// A request aborted mid-body must not take the process down.
			this.handle(req, res).catch(() => res.destroy());
		});
		return this;
	}

	/** The base URL an n8n OpenAI credential takes (".../v1"). */
	get url(): string {
		return `${originOf(this.server, 'The OpenAI stand-in')}/v1`;
	}

	async close(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		await closeServer(server);
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const path = (req.url ?? '').split('?')[0];
		if (req.method === 'GET' && path === '/v1/models') {
			return send(res, 200, {
				object: 'list',
				data: [{ id: 'gpt-4o-mini', object: 'model', owned_by: 'fake' }],
			});
		}
		if (req.method !== 'POST' || path !== '/v1/chat/completions') {
			return send(res, 404, {
				error: { message: `No route ${req.method} ${path}`, type: 'invalid_request_error' },
			});
		}
		let body: {
			messages?: ChatMessage[];
			tools?: Array<{ function?: { name?: string } }>;
			stream?: boolean;
		};
		try {
			body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
		} catch {
			return send(res, 400, {
				error: { message: 'Body is not JSON', type: 'invalid_request_error' },
			});
		}
		const messages = body.messages ?? [];
		const toolNames = (body.tools ?? []).map((tool) => tool.function?.name ?? '');
		const last = messages[messages.length - 1];
		this.log.push({
			path,
			toolNames,
			lastRole: last?.role,
			...(last?.role === 'tool' ? { toolResult: textOf(last.content) } : {}),
			stream: body.stream === true,
		});

		const joinTool = toolNames[0];
		const userText = textOf(
			[...messages].reverse().find((message) => message.role === 'user')?.content,
		);
		const identifier = /https?:\/\/\S+|\b[A-Za-z0-9]{6,64}\b(?=\W*$)/.exec(userText)?.[0];
		const reply =
			last?.role === 'tool'
				? { content: `The join tool answered: ${textOf(last.content)}` }
				: joinTool && identifier
					? { toolCall: { name: joinTool, arguments: JSON.stringify({ identifier }) } }
					: { content: 'Send me a WhatsApp group invite link and I will join it.' };
		return body.stream === true ? sendStream(res, reply) : send(res, 200, completion(reply));
	}
}

type Reply = { content: string } | { toolCall: { name: string; arguments: string } };

function completion(reply: Reply): object {
	const message =
		'content' in reply
			? { role: 'assistant', content: reply.content }
			: {
					role: 'assistant',
					content: null,
					tool_calls: [{ id: 'call_join_1', type: 'function', function: reply.toolCall }],
				};
	return {
		id: 'chatcmpl-fake',
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: 'gpt-4o-mini',
		choices: [{ index: 0, message, finish_reason: 'content' in reply ? 'stop' : 'tool_calls' }],
		usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
	};
}

function sendStream(res: ServerResponse, reply: Reply): void {
	const base = {
		id: 'chatcmpl-fake',
		object: 'chat.completion.chunk',
		created: Math.floor(Date.now() / 1000),
		model: 'gpt-4o-mini',
	};
	const delta =
		'content' in reply
			? { role: 'assistant', content: reply.content }
			: {
					role: 'assistant',
					tool_calls: [{ index: 0, id: 'call_join_1', type: 'function', function: reply.toolCall }],
				};
	res.writeHead(200, { 'content-type': 'text/event-stream' });
	res.write(
		`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`,
	);
	const finish = 'content' in reply ? 'stop' : 'tool_calls';
	res.write(
		`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] })}\n\n`,
	);
	res.end('data: [DONE]\n\n');
}

function send(res: ServerResponse, status: number, body: object): void {
	res.writeHead(status, { 'content-type': 'application/json' });
	res.end(JSON.stringify(body));
}

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content))
		return content.map((part) => (part as { text?: string }).text ?? '').join('');
	return '';
}
