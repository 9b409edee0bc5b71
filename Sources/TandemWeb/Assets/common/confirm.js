// A modal yes/no question in the page's own dark style (a <dialog>: focus stays inside it,
// Escape answers no).

/** Shows `message`; resolves true when the user chooses `confirmLabel`, false otherwise. */
export function confirmDialog(message, confirmLabel = "OK", cancelLabel = "Cancel") {
  const dialog = document.createElement("dialog");
  dialog.className = "confirm";
  const text = document.createElement("p");
  text.textContent = message;
  const buttons = document.createElement("form");
  buttons.method = "dialog";
  buttons.className = "confirm-buttons";
  const cancel = document.createElement("button");
  cancel.value = "cancel";
  cancel.textContent = cancelLabel;
  const confirm = document.createElement("button");
  confirm.value = "confirm";
  confirm.className = "primary";
  confirm.textContent = confirmLabel;
  buttons.append(cancel, confirm);
  dialog.append(text, buttons);
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
    dialog.showModal();
    confirm.focus();
  });
}
