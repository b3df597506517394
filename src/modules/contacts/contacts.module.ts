import { Module } from '@nestjs/common';
import { ContactAccess } from './contact-access';
import { ContactAttributesController } from './contact-attributes.controller';
import { ContactsController } from './contacts.controller';
import { CreateContactAttributeUseCase } from './use-cases/create-contact-attribute.use-case';
import { DeleteContactAttributeUseCase } from './use-cases/delete-contact-attribute.use-case';
import { CreateContactUseCase } from './use-cases/create-contact.use-case';
import { DeleteContactUseCase } from './use-cases/delete-contact.use-case';
import { ImportContactsUseCase } from './use-cases/import-contacts.use-case';
import { ExportContactsUseCase } from './use-cases/export-contacts.use-case';
import { GetContactUseCase } from './use-cases/get-contact.use-case';
import { ListContactAttributesUseCase } from './use-cases/list-contact-attributes.use-case';
import { ListContactsUseCase } from './use-cases/list-contacts.use-case';
import { ListDeletedContactsUseCase } from './use-cases/list-deleted-contacts.use-case';
import { MergeContactsUseCase } from './use-cases/merge-contacts.use-case';
import { ReorderContactAttributesUseCase } from './use-cases/reorder-contact-attributes.use-case';
import { SetFavouriteUseCase } from './use-cases/set-favourite.use-case';
import { SetOptOutUseCase } from './use-cases/set-opt-out.use-case';
import { UpdateContactAttributeUseCase } from './use-cases/update-contact-attribute.use-case';
import { UpdateContactUseCase } from './use-cases/update-contact.use-case';

/** Contacts: visibility, attributes (platform and custom), VIP, favourites, opt-outs, create, CSV import, merge, delete, CSV export. */
@Module({
  controllers: [ContactsController, ContactAttributesController],
  providers: [
    ContactAccess,
    ListContactsUseCase,
    GetContactUseCase,
    UpdateContactUseCase,
    SetFavouriteUseCase,
    SetOptOutUseCase,
    MergeContactsUseCase,
    DeleteContactUseCase,
    ListDeletedContactsUseCase,
    ExportContactsUseCase,
    CreateContactUseCase,
    ImportContactsUseCase,
    ListContactAttributesUseCase,
    CreateContactAttributeUseCase,
    UpdateContactAttributeUseCase,
    DeleteContactAttributeUseCase,
    ReorderContactAttributesUseCase,
  ],
  exports: [ContactAccess],
})
export class ContactsModule {}
