import { Module } from '@nestjs/common';
import { SecretBox } from '../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import { AuthModule } from '../auth/auth.module';
import { ContactsModule } from '../contacts/contacts.module';
import { CrmConnectorAccess } from './crm-connector-access';
import { CrmLookup } from './crm-lookup';
import { CrmLookupDispatcher } from './crm-lookup-dispatcher';
import { ContactCrmController, CrmConnectorsController } from './crm.controller';
import { CreateCrmConnectorUseCase } from './use-cases/create-crm-connector.use-case';
import { DeleteCrmConnectorUseCase } from './use-cases/delete-crm-connector.use-case';
import { GetContactCrmUseCase } from './use-cases/get-contact-crm.use-case';
import { GetCrmConnectorUseCase, ListCrmConnectorsUseCase } from './use-cases/list-crm-connectors.use-case';
import { ListCrmWriteBacksUseCase } from './use-cases/list-crm-write-backs.use-case';
import { RefreshContactCrmUseCase } from './use-cases/refresh-contact-crm.use-case';
import { RunCrmLookupUseCase } from './use-cases/run-crm-lookup.use-case';
import { TestCrmConnectorUseCase } from './use-cases/test-crm-connector.use-case';
import { UpdateCrmConnectorUseCase } from './use-cases/update-crm-connector.use-case';

const secretBox = { provide: SecretBox, useFactory: (config: ServiceConfig) => new SecretBox(config.secretsKey), inject: [APP_CONFIG] };

/** The CRM connector API (in the API): connectors, test with a contact, a contact's CRM view, refresh. */
@Module({
  imports: [AuthModule, ContactsModule],
  controllers: [CrmConnectorsController, ContactCrmController],
  providers: [
    secretBox,
    CrmLookup,
    CrmConnectorAccess,
    CreateCrmConnectorUseCase,
    ListCrmConnectorsUseCase,
    GetCrmConnectorUseCase,
    UpdateCrmConnectorUseCase,
    DeleteCrmConnectorUseCase,
    TestCrmConnectorUseCase,
    RefreshContactCrmUseCase,
    GetContactCrmUseCase,
    ListCrmWriteBacksUseCase,
  ],
})
export class CrmModule {}

/** In the worker: the lookup activity's use case and the dispatcher that starts queued lookups. */
@Module({
  providers: [secretBox, CrmLookup, RunCrmLookupUseCase, CrmLookupDispatcher],
  exports: [RunCrmLookupUseCase],
})
export class CrmWorkerModule {}
