import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../modules/auth/actor';
import { APP_CONFIG, ServiceConfig } from '../config/config';

/** The admin console's placeholder page: links to the API docs, health and the Temporal UI. */
@ApiExcludeController()
@Public()
@Controller()
export class ConsoleController {
  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    const ui = this.config.temporal.uiUrl;
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CX Platform console</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}a{color:#0b5cad}li{margin:.4rem 0}</style>
</head><body>
<h1>CX Platform console</h1>
<p>Shared inboxes and campaigns, run as durable Temporal workflows. The full console is on its way; for now:</p>
<ul>
<li><a href="/api/docs">API documentation (OpenAPI)</a></li>
<li><a href="/health">Health</a> (database and Temporal reachability)</li>
${ui ? `<li><a href="${ui}">Temporal UI</a> (workflow histories; filter by InboxId, ConversationStatus, AssigneeId, Channel, Vip)</li>` : ''}
</ul>
</body></html>`;
  }
}
