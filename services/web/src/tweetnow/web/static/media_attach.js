/* Compose: images for the first part, picked or dropped, shown as thumbnails, each with
 * its alt text; on Post they are uploaded (POST /api/media) and go as media_ids. */
(function (tn) {
  "use strict";

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("compose-form");
    const list = document.getElementById("media-list");
    const input = document.getElementById("media-input");
    const pick = document.getElementById("add-images");
    if (!form || !list || !input || !pick) return;
    /* Each: { file, url, item, alt, uploaded: {id, alt} | null } */
    let images = [];
    let made = 0;

    function renumber() {
      images.forEach((image, index) => {
        image.item.querySelector("label").textContent = "Describe image " + (index + 1) + " (alt text)";
        image.item.querySelector("img").alt = "Image " + (index + 1) + ": " + image.file.name;
        image.item.querySelector("button").textContent = "Remove image " + (index + 1);
      });
    }

    function addFile(file) {
      made += 1;
      const id = "media-alt-" + made;
      const item = document.createElement("li");
      item.className = "media-item";
      const url = URL.createObjectURL(file);
      const thumbnail = document.createElement("img");
      thumbnail.src = url;
      const label = document.createElement("label");
      label.htmlFor = id;
      const alt = document.createElement("input");
      alt.type = "text";
      alt.id = id;
      alt.maxLength = 1000;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      const image = { file: file, url: url, item: item, alt: alt, uploaded: null };
      remove.addEventListener("click", () => {
        URL.revokeObjectURL(url);
        item.remove();
        images = images.filter((other) => other !== image);
        renumber();
        pick.focus();
      });
      item.append(thumbnail, label, alt, remove);
      list.append(item);
      images.push(image);
      renumber();
    }

    function addFiles(files) {
      const added = Array.from(files || []);
      for (const file of added) addFile(file);
      if (added.length) images[images.length - added.length].alt.focus();
    }

    pick.addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      addFiles(input.files);
      input.value = "";
    });
    form.addEventListener("dragover", (event) => {
      if (!event.dataTransfer || !Array.from(event.dataTransfer.types).includes("Files")) return;
      event.preventDefault();
      form.classList.add("dropping");
    });
    form.addEventListener("dragleave", () => form.classList.remove("dropping"));
    form.addEventListener("drop", (event) => {
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      form.classList.remove("dropping");
      addFiles(event.dataTransfer.files);
    });

    tn.composeExtensions = tn.composeExtensions || [];
    tn.composeExtensions.push({
      /* Upload what is not uploaded yet (or whose alt text changed), then name them all. */
      async build(body) {
        if (!images.length) return null;
        const ids = [];
        for (let i = 0; i < images.length; i += 1) {
          const image = images[i];
          const altText = image.alt.value;
          if (!image.uploaded || image.uploaded.alt !== altText) {
            const data = new FormData();
            data.append("file", image.file, image.file.name);
            data.append("alt_text", altText);
            try {
              const kept = await tn.api.upload("/api/media", data);
              image.uploaded = { id: kept.id, alt: altText };
            } catch (error) {
              return "Image " + (i + 1) + " (" + image.file.name + "): " + error.description;
            }
          }
          ids.push(image.uploaded.id);
        }
        body.media_ids = ids;
        return null;
      },
      reset() {
        for (const image of images) URL.revokeObjectURL(image.url);
        images = [];
        list.replaceChildren();
      },
    });
  });
})(window.tweetnow);
