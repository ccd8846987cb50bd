// The 404 page: the shell (header, language switch) and nothing else.

import { initShell } from '../shell.js';

initShell({ auth: 'optional' });
