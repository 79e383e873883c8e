import { ValidationPipe } from '@nestjs/common';

/** Strict DTO validation of the control API and the popup's Finish (unknown fields are refused). */
export const validation = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  validationError: { target: false, value: false },
});
