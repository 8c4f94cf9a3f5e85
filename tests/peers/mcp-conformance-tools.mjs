// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
//
// A stdio MCP server (official TypeScript SDK, low-level Server so every answer is exactly the
// JSON below) with the test_* tools that the conformance suite's server scenarios call and that
// server-everything 2026.8.31 lacks. Each tool answers what the scenario's description in
// @modelcontextprotocol/conformance 0.1.16 asks for, so the suite run through gestaltd's /mcp
// checks that gestaltd passes these results through untouched (text, image, audio, embedded
// resource, mixed content, isError, a JSON Schema 2020-12 inputSchema).
//
//   node mcp-conformance-tools.mjs        (stdio; stops when stdin closes)
//
// test_tool_with_progress reports progress (0, 50, 100 of 100) to the token the call carries,
// which gestaltd forwards on the /mcp answer's SSE stream. Only what a stateless, tools-only
// gateway can carry is here: no logging, sampling or elicitation (those scenarios stay in
// tests/e2e/mcp-conformance-expected-failures.yml).

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';

// A 1x1 red PNG and a 1-sample 8 kHz mono WAV.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const WAV = Buffer.concat([
  Buffer.from('RIFF'), Buffer.from([38, 0, 0, 0]), Buffer.from('WAVEfmt '),
  Buffer.from([16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 1, 0, 8, 0]),
  Buffer.from('data'), Buffer.from([2, 0, 0, 0, 0x80, 0x80]),
]).toString('base64');

const noArguments = { type: 'object', properties: {} };

// Each tool's fixed result (and, for progress, the values it reports first).
const tools = [
  {
    name: 'test_simple_text',
    description: 'Returns simple text content',
    inputSchema: noArguments,
    result: { content: [{ type: 'text', text: 'This is a simple text response for testing.' }] },
  },
  {
    name: 'test_image_content',
    description: 'Returns image content',
    inputSchema: noArguments,
    result: { content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] },
  },
  {
    name: 'test_audio_content',
    description: 'Returns audio content',
    inputSchema: noArguments,
    result: { content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }] },
  },
  {
    name: 'test_embedded_resource',
    description: 'Returns an embedded resource',
    inputSchema: noArguments,
    result: {
      content: [{
        type: 'resource',
        resource: {
          uri: 'test://embedded-resource',
          mimeType: 'text/plain',
          text: 'This is an embedded resource content.',
        },
      }],
    },
  },
  {
    name: 'test_multiple_content_types',
    description: 'Returns text, image and resource content',
    inputSchema: noArguments,
    result: {
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: PNG, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: '{"test":"data","value":123}',
          },
        },
      ],
    },
  },
  {
    name: 'test_error_handling',
    description: 'Always fails',
    inputSchema: noArguments,
    result: {
      isError: true,
      content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }],
    },
  },
  {
    name: 'json_schema_2020_12_tool',
    description: 'Tool with JSON Schema 2020-12 features',
    inputSchema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: {
        address: {
          type: 'object',
          properties: { street: { type: 'string' }, city: { type: 'string' } },
        },
      },
      properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
      additionalProperties: false,
    },
    result: { content: [{ type: 'text', text: 'ok' }] },
  },
];

const server = new Server({ name: 'gestalt-conformance-tools', version: '1.0.0' },
  { capabilities: { tools: {} } });

server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })),
}));

tools.push({
  name: 'test_tool_with_progress',
  description: 'Reports progress while it works',
  inputSchema: noArguments,
  progress: [0, 50, 100],
  result: { content: [{ type: 'text', text: 'Progress test completed' }] },
});

server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  const tool = tools.find((candidate) => candidate.name === request.params.name);
  const token = request.params._meta?.progressToken;
  for (const progress of (token === undefined ? [] : tool?.progress ?? [])) {
    await extra.sendNotification({
      method: 'notifications/progress',
      params: { progressToken: token, progress, total: 100, message: `${progress}% done` },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
  return tool.result;
});

process.stdin.on('end', () => process.exit(0));
await server.connect(new StdioServerTransport());
