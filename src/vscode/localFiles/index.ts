/** Local delimited files in the preview: command, "Open With…" editor, restore after reload. */
export { FILE_EDITOR_VIEW_TYPE, FILE_PREVIEW_COMMAND, filePreviewKey, openFile, registerLocalFiles, restoreFilePanel } from './localFiles';
