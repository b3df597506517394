import { ApiProperty } from '@nestjs/swagger';

export class VariableView {
  @ApiProperty({ example: 'contact.first_name', description: 'Use as {{contact.first_name}}' }) name!: string;
  @ApiProperty({ enum: ['account', 'contact'] }) source!: 'account' | 'contact';
  @ApiProperty({ example: 'Contact first name' }) label!: string;
  @ApiProperty({ nullable: true, type: String, description: "The account's default, used when the value is missing" }) default!: string | null;
}
