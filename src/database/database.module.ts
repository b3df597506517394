import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Module } from '@nestjs/common';
import { APP_CONFIG, ServiceConfig } from '../config/config';
import { ormOptions } from './mikro-orm.config';

@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: ServiceConfig) => ormOptions(config.database.url, {}, config.database.poolSize),
      driver: PostgreSqlDriver,
    }),
  ],
})
export class DatabaseModule {}
