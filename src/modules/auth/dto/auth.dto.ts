import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, MaxLength, MinLength } from 'class-validator';
import type { AuthToken } from '../auth-token.entity';

export class LoginDto {
  @ApiProperty({ example: 'jane@example.com' }) @IsEmail() @MaxLength(320) email!: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) password!: string;
}

export class CreateApiTokenDto {
  @ApiProperty({ example: 'CRM sync' }) @IsString() @IsNotEmpty() @MaxLength(100) name!: string;
}

export class PasswordField {
  @ApiProperty({ minLength: 10 }) @IsString() @MinLength(10) @MaxLength(200) password!: string;
}

export class ApiTokenView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) lastUsedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revokedAt!: string | null;

  static of(t: AuthToken): ApiTokenView {
    return {
      id: t.id,
      name: t.name ?? '',
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: t.lastSeenAt.toISOString(),
      revokedAt: t.revokedAt?.toISOString() ?? null,
    };
  }
}
