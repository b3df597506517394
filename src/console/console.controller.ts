import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, ServiceConfig } from '../config/config';

class ConsoleConfigView {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Base URL of the Temporal UI (TEMPORAL_UI_URL); a workflow is at `${temporalUiUrl}/namespaces/${temporalNamespace}/workflows/${workflowId}`',
    example: 'http://127.0.0.1:8233',
  })
  temporalUiUrl!: string | null;

  @ApiProperty({ description: 'The Temporal namespace of the workflows (TEMPORAL_NAMESPACE)', example: 'default' })
  temporalNamespace!: string;
}

/** What the console needs to know about this deployment (the console itself is served by serve-console.ts). */
@ApiTags('console')
@Controller('api/v1/console-config')
export class ConsoleConfigController {
  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig) {}

  @Get()
  @ApiOperation({ summary: "The console's settings: where the Temporal UI is" })
  @ApiOkResponse({ type: ConsoleConfigView })
  get(): ConsoleConfigView {
    return { temporalUiUrl: this.config.temporal.uiUrl ?? null, temporalNamespace: this.config.temporal.namespace };
  }
}
