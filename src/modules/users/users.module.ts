import { Module } from '@nestjs/common';
import { CreateUserUseCase } from './use-cases/create-user.use-case';
import { ListUsersUseCase } from './use-cases/list-users.use-case';
import { UpdateUserUseCase } from './use-cases/update-user.use-case';
import { UsersController } from './users.controller';

@Module({ controllers: [UsersController], providers: [CreateUserUseCase, UpdateUserUseCase, ListUsersUseCase] })
export class UsersModule {}
