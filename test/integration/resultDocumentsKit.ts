// What the result-documents test leaves for its phase 2 (after the window reload).
import { handover } from './handoverKit';

export interface DocumentsHandover {
  sourceId: string;
  uri: string;
  text: string;
}

export const documentsHandover = handover<DocumentsHandover>('result-documents');
